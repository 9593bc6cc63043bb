import Foundation
import Logging
import MarketCore
import MarketMessages
import PipelineContracts
import PostgresNIO
import Store
import TestSupport
import Testing

@Suite struct BatchWriterTests {
    static let now = Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))

    static func quote(_ i: Int, ts: Timestamp = now) -> QuoteMessage {
        QuoteMessage(symbol: Symbol("SYM\(i % 7)")!, ts: ts, bid: Price(units: 10_000_000_000 + Int64(i)),
                     ask: Price(units: 10_001_000_000 + Int64(i)), bidSize: Int64(i % 500), askSize: 100)
    }

    @Test func aBatchCommitsRowsDeadLettersOffsetsAndNotificationsTogether() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                var batch = IngestBatch()
                for i in 0..<1_000 {
                    batch.append(Self.quote(i), partition: Int32(i % 4), offset: Int64(i / 4))
                    batch.consumed(PartitionKey(topic: "md.quotes", partition: Int32(i % 4)), offset: Int64(i / 4))
                }
                batch.append(TradePrintMessage(symbol: Symbol("SYM1")!, ts: Self.now, price: Price("101.25")!, size: 10), partition: 0, offset: 0)
                batch.consumed(PartitionKey(topic: "md.trades", partition: 0), offset: 0)
                batch.deadLetters.append(DeadLetter(topic: "md.trades", partition: 0, offset: 1, key: Array("SYM1".utf8),
                                                    payload: Array("{not json\u{0}".utf8), error: "invalid JSON\u{0}"))
                batch.consumed(PartitionKey(topic: "md.trades", partition: 0), offset: 1)
                batch.announce(QuoteNotice(symbol: "SYM1", ts: "2026-11-27T10:00:00Z", bid: nil, ask: "1", bidSize: 0, askSize: 1000))

                let writer = BatchWriter(client: client, consumerGroup: "g1", logger: db.logger)
                try await writer.commit(batch)

                let quotes = try await client.query("SELECT count(*)::int, sum(bid_size)::int FROM market.quotes", logger: db.logger)
                for try await (count, sizes) in quotes.decode((Int, Int).self) {
                    #expect(count == 1_000)
                    #expect(sizes == (0..<1_000).reduce(0) { $0 + $1 % 500 })
                }
                let price = try await client.query("SELECT price::text FROM market.trades", logger: db.logger)
                for try await p in price.decode(String.self) { #expect(p == "101.25000000") }
                let offsets = try await BatchWriter.storedOffsets(client: client, group: "g1", topic: "md.quotes", logger: db.logger)
                #expect(offsets == [0: 250, 1: 250, 2: 250, 3: 250])
                let trades = try await BatchWriter.storedOffsets(client: client, group: "g1", topic: "md.trades", logger: db.logger)
                #expect(trades == [0: 2])
                let dead = try await client.query("SELECT error, payload, message_key FROM ops.dead_letters", logger: db.logger)
                for try await (error, payload, key) in dead.decode((String, ByteBuffer, ByteBuffer?).self) {
                    #expect(error == "invalid JSON\\0")
                    #expect(Array(buffer: payload) == Array("{not json\u{0}".utf8))
                    #expect(key.map { Array(buffer: $0) } == Array("SYM1".utf8))
                }
            }
        }
    }

    @Test func aFailingBatchCommitsNothingNotEvenItsOffsets() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                var batch = IngestBatch()
                batch.append(Self.quote(1), partition: 0, offset: 0)
                batch.consumed(PartitionKey(topic: "md.quotes", partition: 0), offset: 0)
                // A trade with a zero price violates a CHECK constraint inside the same transaction.
                batch.append(TradePrintMessage(symbol: Symbol("X")!, ts: Self.now, price: .zero, size: 1), partition: 0, offset: 0)
                let writer = BatchWriter(client: client, consumerGroup: "g1", logger: db.logger)
                await #expect(throws: (any Error).self) { try await writer.commit(batch) }
                let rows = try await client.query("SELECT (SELECT count(*) FROM market.quotes)::int + (SELECT count(*) FROM ops.kafka_offsets)::int", logger: db.logger)
                for try await n in rows.decode(Int.self) { #expect(n == 0) }
            }
        }
    }

    @Test func rowsOutsideThePartitionWindowGetTheirPartitionsMade() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                var batch = IngestBatch()
                let farFuture = Timestamp(microseconds: Self.now.microseconds + 400 * 86_400_000_000)
                let longAgo = Timestamp(microseconds: Self.now.microseconds - 20 * 86_400_000_000)
                batch.append(Self.quote(1, ts: farFuture), partition: 0, offset: 0)
                batch.append(Self.quote(2, ts: longAgo), partition: 0, offset: 1)
                batch.consumed(PartitionKey(topic: "md.quotes", partition: 0), offset: 1)
                try await BatchWriter(client: client, consumerGroup: "g1", logger: db.logger).commit(batch)
                let rows = try await client.query("SELECT count(*)::int FROM market.quotes", logger: db.logger)
                for try await n in rows.decode(Int.self) { #expect(n == 2) }
            }
        }
    }

    @Test func notificationsArriveOnlyAfterCommit() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { listener in
                try await listener.listen(on: "book_bbo") { notifications in
                    try await db.withClient { client in
                        var batch = IngestBatch()
                        batch.announce(BookTopNotice(symbol: "HELLO", bid: "1.5", ask: nil))
                        batch.consumed(PartitionKey(topic: "md.quotes", partition: 0), offset: 0)
                        try await BatchWriter(client: client, consumerGroup: "g1", logger: db.logger).commit(batch)
                    }
                    for try await notification in notifications {
                        #expect(BookTopNotice.read(notification.payload) == BookTopNotice(symbol: "HELLO", bid: "1.5", ask: nil))
                        break
                    }
                }
            }
        }
    }
}

extension BatchWriterTests {
    /// Offsets move only from where the writer expects them: a writer that lost its partition to
    /// another (paused past the session timeout) commits nothing of its batch.
    @Test func aWriterWhoseOffsetsMovedUnderItCommitsNothing() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                let key = PartitionKey(topic: "md.quotes", partition: 0)
                func batch(_ offsets: Range<Int>, expecting: StoredPosition?) -> IngestBatch {
                    var b = IngestBatch()
                    for i in offsets {
                        b.append(Self.quote(i), partition: 0, offset: Int64(i))
                        b.consumed(key, offset: Int64(i))
                    }
                    b.expectedPositions = [key: expecting]
                    return b
                }
                let writer = BatchWriter(client: client, consumerGroup: "g", logger: db.logger)
                try await writer.commit(batch(0..<10, expecting: nil))
                try await writer.commit(batch(10..<20, expecting: StoredPosition(nextOffset: 10, logID: "")))
                // The zombie still believes the offsets are at 10; the new owner moved them to 20.
                await #expect(throws: BatchWriter.OffsetsFenced.self) {
                    do { try await writer.commit(batch(10..<15, expecting: StoredPosition(nextOffset: 10, logID: ""))) } catch {
                        throw PostgresErrorText.unwrap(error)
                    }
                }
                // Nor may a writer that expects no row yet insert one.
                await #expect(throws: BatchWriter.OffsetsFenced.self) {
                    do { try await writer.commit(batch(0..<5, expecting: nil)) } catch { throw PostgresErrorText.unwrap(error) }
                }
                let count = try await client.query("SELECT count(*)::int FROM market.quotes", logger: db.logger).collect().first!.decode(Int.self)
                #expect(count == 20)
                #expect(try await BatchWriter.storedOffsets(client: client, group: "g", topic: "md.quotes", logger: db.logger) == [0: 20])
            }
        }
    }

    /// The processor's batches send their notices in the statement that moves their offsets: they
    /// arrive after each commit, in order, and a fenced batch (rolled back) announces nothing.
    @Test func noticesTravelWithTheOffsetsAndAFencedBatchAnnouncesNothing() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { listener in
                try await listener.listen(on: "book_bbo") { notifications in
                    try await db.withClient { client in
                        let key = PartitionKey(topic: "md.quotes", partition: 0)
                        func batch(_ offset: Int, expecting: StoredPosition?, notice symbol: String) -> IngestBatch {
                            var b = IngestBatch()
                            b.append(Self.quote(offset), partition: 0, offset: Int64(offset))
                            b.consumed(key, offset: Int64(offset))
                            b.expectedPositions = [key: expecting]
                            b.announce(BookTopNotice(symbol: symbol, bid: "1", ask: nil))
                            b.announce(BookTopNotice(symbol: symbol + "2", bid: "1", ask: nil))
                            return b
                        }
                        let writer = BatchWriter(client: client, consumerGroup: "g", logger: db.logger)
                        try await writer.commit(batch(0, expecting: nil, notice: "FIRST"))
                        await #expect(throws: BatchWriter.OffsetsFenced.self) {
                            do { try await writer.commit(batch(1, expecting: nil, notice: "FENCED")) } catch {
                                throw PostgresErrorText.unwrap(error)
                            }
                        }
                        try await writer.commit(batch(1, expecting: StoredPosition(nextOffset: 1, logID: ""), notice: "THIRD"))
                    }
                    var symbols: [String] = []
                    for try await notification in notifications {
                        symbols.append(BookTopNotice.read(notification.payload)?.symbol ?? "?")
                        if symbols.count == 4 { break }
                    }
                    #expect(symbols == ["FIRST", "FIRST2", "THIRD", "THIRD2"])
                }
            }
        }
    }
}
