"""A reference limit order book, written for the chaos checker from the rules in docs/orderbook.md,
not from the Swift engine: price-time priority, fills at the resting order's price, limit orders
rest their remainder (GTC), market orders are immediate-or-cancel, cancels remove a resting order.
Only what `quant feed` sends is modelled (no stops, post-only, FOK, DAY or self-trade prevention).

Prices are Decimals; quantities ints. `apply` returns the fills as (price, quantity, maker, taker).
"""
from collections import deque
from decimal import Decimal


class Book:
    def __init__(self):
        self.bids = {}  # price -> deque of [order_id, remaining]
        self.asks = {}
        self.where = {}  # order_id -> (side, price)

    def apply(self, command):
        kind = command["type"]
        if kind == "cancel":
            self.cancel(command["order_id"])
            return []
        if kind != "new":
            raise ValueError(f"unmodelled command {kind}")
        side, quantity, order_id = command["side"], int(command["quantity"]), command["order_id"]
        market = command["order_type"] == "market"
        limit = None if market else Decimal(command["price"])
        facing = self.asks if side == "buy" else self.bids
        fills = []
        while quantity > 0 and facing:
            best = min(facing) if side == "buy" else max(facing)
            if limit is not None and (best > limit if side == "buy" else best < limit):
                break
            queue = facing[best]
            while quantity > 0 and queue:
                maker = queue[0]
                take = min(quantity, maker[1])
                fills.append((best, take, maker[0], order_id))
                quantity -= take
                maker[1] -= take
                if maker[1] == 0:
                    queue.popleft()
                    del self.where[maker[0]]
            if not queue:
                del facing[best]
        if quantity > 0 and not market:
            own = self.bids if side == "buy" else self.asks
            own.setdefault(limit, deque()).append([order_id, quantity])
            self.where[order_id] = (side, limit)
        return fills

    def cancel(self, order_id):
        if order_id not in self.where:
            return
        side, price = self.where.pop(order_id)
        levels = self.bids if side == "buy" else self.asks
        queue = levels[price]
        for i, order in enumerate(queue):
            if order[0] == order_id:
                del queue[i]
                break
        if not queue:
            del levels[price]

    def depth(self, levels=10):
        """The best `levels` price levels of each side as (price, quantity, orders)."""
        def side(book, best_first):
            prices = sorted(book, reverse=best_first)[:levels]
            return [(p, sum(o[1] for o in book[p]), len(book[p])) for p in prices]
        return {"bids": side(self.bids, True), "asks": side(self.asks, False)}
