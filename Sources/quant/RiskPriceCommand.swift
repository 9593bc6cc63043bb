import ArgumentParser
import MarketCore
import Risk

/// `quant risk price`: one European option's price and Greeks, or its implied volatility.
struct RiskPriceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "price",
        abstract: "Price a European option and its Greeks (BSM or Black-76), or imply the volatility from a market price.",
        discussion: """
            Rates, yield and volatility are annualised decimals (0.05 = 5%), continuously compounded; \
            time is in years. For Black-76 --spot is the futures price. Vega is per 1.00 of volatility \
            (vegaPerVolPoint per 0.01), theta per year of calendar time (thetaPerDay = theta/365), \
            rho per 1.00 of rate (rhoPerPercentPoint per 0.01).
            Example: quant risk price --type call --spot 42 --strike 40 --rate 0.1 --vol 0.2 --time 0.5
            """
    )

    @Option(help: "call | put") var type: String
    @Option(help: "Spot price (BSM) or futures price (Black-76).") var spot: Double
    @Option(help: "Strike price.") var strike: Double
    @Option(help: "Risk-free rate, continuously compounded.") var rate: Double = 0
    @Option(name: .customLong("dividend-yield"), help: "Continuous dividend yield (BSM only).") var dividendYield: Double = 0
    @Option(help: "Volatility; required unless --market-price is given.") var vol: Double?
    @Option(help: "Time to expiry in years.") var time: Double
    @Option(help: "bsm | black76") var model: String = "bsm"
    @Option(name: .customLong("market-price"), help: "Option price to imply the volatility from.") var marketPrice: Double?

    struct Output: Encodable {
        var model: String
        var type: String
        var spot, strike, rate, dividendYield, time: Double
        var volatility: Double
        var impliedFromMarketPrice: Bool
        var price, delta, gamma, vega, vegaPerVolPoint, theta, thetaPerDay, rho, rhoPerPercentPoint: Double
    }

    func run() throws {
        guard let right = Instrument.OptionRight(rawValue: type.lowercased()) else {
            throw ValidationError("--type must be call or put")
        }
        guard let pricingModel = OptionPricingModel(rawValue: model.lowercased()) else {
            throw ValidationError("--model must be bsm or black76")
        }
        var parameters = OptionParameters(
            right: right, underlying: spot, strike: strike, rate: rate, dividendYield: dividendYield,
            volatility: vol ?? 0, timeToExpiry: time, model: pricingModel)
        if let marketPrice {
            parameters.volatility = try ImpliedVolatility.solve(price: marketPrice, parameters: parameters)
        } else if vol == nil {
            throw ValidationError("give --vol, or --market-price to imply it")
        }
        let v = try OptionPricer.valuation(parameters)
        try RiskCLI.printJSON(Output(
            model: pricingModel.rawValue, type: right.rawValue, spot: spot, strike: strike, rate: rate,
            dividendYield: pricingModel == .black76 ? 0 : dividendYield, time: time,
            volatility: parameters.volatility, impliedFromMarketPrice: marketPrice != nil,
            price: v.price, delta: v.delta, gamma: v.gamma, vega: v.vega, vegaPerVolPoint: v.vegaPerVolPoint,
            theta: v.theta, thetaPerDay: v.thetaPerDay, rho: v.rho, rhoPerPercentPoint: v.rhoPerPercentPoint))
    }
}
