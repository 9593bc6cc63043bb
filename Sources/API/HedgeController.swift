import Hummingbird
import MarketCore
import Risk
import PortfolioValuation

/// `GET /risk/portfolios/{id}/hedge?strategy=delta|delta-gamma&instrument=…`: the `Hedger`'s
/// proposal on the current positions. `delta`: `instrument` is the underlying to neutralise (all
/// of the book's underlyings when omitted), traded itself. `delta-gamma`: `instrument` is the
/// option used against gamma (its volatility implied from its quote mid, else the default); its
/// underlying is then traded against the delta left.
struct HedgeController: Sendable {
    enum Strategy: String, CaseIterable { case delta, deltaGamma = "delta-gamma" }

    struct HedgeBody: Codable, Sendable {
        var portfolioId: String
        var asOf: String
        var strategy: String
        var proposals: [HedgeProposal]
    }

    let books: PortfolioBookReader
    let gate: ConcurrencyGate

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("risk/portfolios/:portfolioId/hedge", use: hedge)
    }

    @Sendable func hedge(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        let id = try p.identifier("portfolioId")
        let strategyText = p.query("strategy") ?? Strategy.delta.rawValue
        guard let strategy = Strategy(rawValue: strategyText) else { throw Problem.badParameter("strategy", "delta or delta-gamma") }
        let instrument = p.query("instrument")
        if let instrument, !RequestParameters.isSymbol(instrument) {
            throw Problem.badParameter("instrument", "a symbol is 1-40 characters of A-Z a-z 0-9 . _ - : /")
        }
        if strategy == .deltaGamma, instrument == nil {
            throw Problem.badParameter("instrument", "required for delta-gamma: the option to hedge gamma with")
        }
        return try await gate.run(client: context.clientID) {
            try await propose(id: id, strategy: strategy, instrument: instrument)
        }
    }

    private func propose(id: String, strategy: Strategy, instrument: String?) async throws -> Response {
        let valued = try await books.book(id)
        let book = valued.book
        var proposals: [HedgeProposal] = []
        do {
            switch strategy {
            case .delta:
                let underlyings = try instrument.map { [try Self.factor($0, of: book)] } ?? book.factors
                for underlying in underlyings { proposals.append(try Hedger.deltaNeutral(book: book, underlying: underlying)) }
            case .deltaGamma:
                let option = try await hedgeOption(instrument!, valued: valued)
                proposals.append(try Hedger.deltaGammaNeutral(book: book, underlying: try Self.factor(option.factor.rawValue, of: book), option: option))
            }
        } catch let error as RiskError {
            throw Problem.invalidRiskInput([.init("instrument", error.description)], title: "No hedge")
        }
        return try JSONBody.response(HedgeBody(
            portfolioId: id, asOf: book.valuationDate.description, strategy: strategy.rawValue, proposals: proposals))
    }

    /// `symbol` as one of the book's underlyings, or a 422 saying the book has no exposure to it.
    static func factor(_ symbol: String, of book: RiskBook) throws -> Symbol {
        guard let factor = Symbol(symbol), book.factors.contains(factor) else {
            throw Problem.invalidRiskInput(
                [.init("instrument", "the portfolio has no position on \(symbol); its underlyings: \(book.factors.map(\.rawValue).joined(separator: ", "))")],
                title: "No hedge")
        }
        return factor
    }

    /// The hedge option as a zero-quantity position priced like the engine prices options.
    private func hedgeOption(_ symbol: String, valued: PortfolioRiskCalculator.ValuedBook) async throws -> RiskPosition {
        guard let held = try await books.instrument(symbol) else {
            throw Problem.invalidRiskInput([.init("instrument", "unknown instrument \(symbol)")], title: "No hedge")
        }
        guard held.kind == .option, let underlying = held.underlying else {
            throw Problem.invalidRiskInput([.init("instrument", "\(symbol) is not an option: delta-gamma hedges with an option")], title: "No hedge")
        }
        _ = try Self.factor(underlying, of: valued.book)
        var mids: [String: Double] = [:]
        if let mid = try await books.mid(symbol) { mids[symbol] = mid }
        do {
            let (leg, _) = try books.calculator.optionLeg(
                held, history: valued.history, valuationDate: valued.book.valuationDate, mids: mids)
            return RiskPosition(symbol: Symbol(symbol)!, quantity: 0, multiplier: held.multiplier, option: leg)
        } catch {
            throw Problem.invalidRiskInput([.init("instrument", error.description)], title: "No hedge")
        }
    }
}
