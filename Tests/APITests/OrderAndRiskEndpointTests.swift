import API
import Foundation
import HummingbirdTesting
import PipelineContracts
import Testing

@Suite struct OrderAndRiskEndpointTests {
    @Test func orderStatusWithFillsAndAveragePrice() async throws {
        try await APITest.withAPI { client, _, _ in
            let order = try APITest.decode(OrderStatusBody.self, try await client.get("/api/v1/orders/o-1"))
            #expect(order.status == "partially_filled")
            #expect(order.filledQuantity == 40 && order.leavesQuantity == 60)
            #expect(order.averagePrice == "10")
            #expect(order.fills?.map(\.liquidity) == ["maker"])
            let taker = try APITest.decode(OrderStatusBody.self, try await client.get("/api/v1/orders/o-2?symbol=AAA"))
            #expect(taker.status == "filled" && taker.fills?.map(\.liquidity) == ["taker"])
            try APITest.expectProblem(try await client.get("/api/v1/orders/o-2?symbol=BBB"), .notFound)
            try APITest.expectProblem(try await client.get("/api/v1/orders/nope"), .notFound)
            try APITest.expectProblem(try await client.get("/api/v1/orders/o-1?symbol=%20"), .badRequest)
        }
    }

    @Test func riskLatestRunAndHistory() async throws {
        try await APITest.withAPI { client, _, _ in
            let latest = try APITest.decode(RiskBody.self, try await client.get("/api/v1/risk/metrics/alpha"))
            #expect(latest.runId == "00000000-0000-0000-0000-000000000002")
            #expect(latest.asOf == "2026-11-26")
            #expect(latest.metrics.map(\.method) == ["historical", "parametric"])
            #expect(latest.metrics.map(\.var) == ["110", "105"])
            #expect(latest.greeks?.delta == 2)
            #expect(latest.history == nil)
            let history = try APITest.decode(RiskBody.self, try await client.get("/api/v1/risk/metrics/alpha?history=true"))
            #expect(history.history?.count == 3)
            #expect(history.history?.last?.var == "100")
            let empty = try APITest.decode(RiskBody.self, try await client.get("/api/v1/risk/metrics/empty"))
            #expect(empty.runId == nil && empty.metrics.isEmpty)
            try APITest.expectProblem(try await client.get("/api/v1/risk/metrics/nope"), .notFound)
            try APITest.expectProblem(try await client.get("/api/v1/risk/metrics/alpha?history=maybe"), .badRequest)
        }
    }
}
