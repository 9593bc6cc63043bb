import Foundation
import HummingbirdTesting
import MarketCore
import Testing

@testable import API

/// Finding 11: a key written twice in one JSON object is refused (400) on every write body,
/// whatever its depth or spelling; nothing else is.
@Suite struct DuplicateKeyTests {
    @Test(arguments: [
        (#"{"a":1,"a":2}"#, "a"),
        (#"{"a":1,"b":{"c":1,"c":[1]}}"#, "c"),
        (#"[{"x":1},{"y":2,"y":3}]"#, "y"),
        (#"{"quantity":1,"\u0071uantity":2}"#, "quantity"),
        (#"{"s":"{\"q\":1,\"q\":2}","s":3}"#, "s"),
    ])
    func aDuplicateIsFound(json: String, key: String) {
        #expect(JSONDuplicateKeys.first(in: Data(json.utf8)) == key)
    }

    @Test(arguments: [
        #"{"a":1,"b":2}"#,
        #"{"a":{"a":1},"b":[{"a":1},{"a":2}]}"#,  // the same key in different objects
        #"{"s":"{\"q\":1,\"q\":2}"}"#,  // inside a string value
        #"[1,"a","a",{"a":"a"}]"#,
        #"{"a":"\"","b":"\\"}"#,
        "{not json", "", "}}]]",
    ])
    func noDuplicateIsInvented(json: String) {
        #expect(JSONDuplicateKeys.first(in: Data(json.utf8)) == nil)
    }

    /// Any object Foundation writes (distinct keys by construction) has no duplicate; the same text
    /// with one of its keys written again has exactly that one.
    @Test func generatedObjects() throws {
        var generator = SplitMix64(seed: 17)  // the same objects every run
        let alphabet = Array("ab\"\\{}[],:q é")
        for _ in 0..<300 {
            var object: [String: Any] = [:]
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let key = String((0..<Int.random(in: 1...4, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
                object[key] = Bool.random(using: &generator) ? key : ["n": [1, key]] as [String: Any]
            }
            let data = try JSONSerialization.data(withJSONObject: object)
            #expect(JSONDuplicateKeys.first(in: data) == nil, "\(String(decoding: data, as: UTF8.self))")
            let key = try #require(object.keys.randomElement(using: &generator))
            let again = try JSONSerialization.data(withJSONObject: [key: 0])
            var doubled = data.dropLast()
            doubled.append(UInt8(ascii: ","))
            doubled.append(contentsOf: again.dropFirst())
            #expect(JSONDuplicateKeys.first(in: Data(doubled)) == key, "\(String(decoding: doubled, as: UTF8.self))")
        }
    }

    @Test func everyWriteBodyRefusesADuplicate() async throws {
        let publisher = RecordingPublisher()
        try await APITest.withAPI(orders: publisher) { client, _, _ in
            let order = #"{"symbol":"AAA","side":"buy","order_type":"limit","price":"10","quantity":1,"quantity":1000000}"#
            let problem = try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: order), .badRequest)
            #expect(problem.detail?.contains("quantity") == true)
            try APITest.expectProblem(try await client.send(
                .patch, "/api/v1/orders/o-1", json: #"{"symbol":"AAA","price":"1","price":"2"}"#), .badRequest)
            try APITest.expectProblem(try await client.send(
                .post, "/api/v1/derivatives/price",
                json: #"{"right":"call","underlying_price":100,"strike":100,"strike":90,"time_to_expiry":1,"volatility":0.2}"#),
                .badRequest)
            try APITest.expectProblem(try await client.send(
                .post, "/api/v1/portfolios", json: #"{"id":"p","name":"a","name":"b"}"#), .badRequest)
            #expect(await publisher.commands.isEmpty)
        }
    }
}
