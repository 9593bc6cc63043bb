-- Static data: what can be traded and how finely.
CREATE TABLE market.instruments (
    symbol        text PRIMARY KEY CHECK (symbol ~ '^[A-Za-z0-9._:/-]{1,40}$'),
    name          text,
    kind          text NOT NULL CHECK (kind IN ('equity', 'option', 'future', 'index')),
    currency      char(3) NOT NULL DEFAULT 'USD',
    tick_size     numeric(20, 8) NOT NULL DEFAULT 0.01 CHECK (tick_size > 0),
    lot_size      bigint NOT NULL DEFAULT 1 CHECK (lot_size > 0),
    -- Units of the underlying per contract (100 for a US equity option).
    multiplier    numeric(20, 8) NOT NULL DEFAULT 1 CHECK (multiplier > 0),
    -- Options (and futures) refer to an underlying instrument.
    underlying    text REFERENCES market.instruments (symbol),
    strike        numeric(20, 8),
    expiry        date,
    option_right  text CHECK (option_right IN ('call', 'put')),
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT option_terms_complete CHECK (
        kind <> 'option'
        OR (underlying IS NOT NULL AND strike > 0 AND expiry IS NOT NULL AND option_right IS NOT NULL)),
    CONSTRAINT only_options_have_strikes CHECK (kind = 'option' OR (strike IS NULL AND option_right IS NULL))
);

CREATE INDEX instruments_underlying_idx ON market.instruments (underlying) WHERE underlying IS NOT NULL;
COMMENT ON TABLE market.instruments IS 'Tradable instruments with their tick and lot sizes and option terms.';
