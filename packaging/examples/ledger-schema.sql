-- SPDX-License-Identifier: MIT
-- Schema for the example daily SQL job in ledger-release.toml.
-- Load it with: psql -d app -f ledger-schema.sql
CREATE TABLE IF NOT EXISTS lots (
    id          bigserial PRIMARY KEY,
    owner       text    NOT NULL,
    amount      numeric NOT NULL CHECK (amount > 0),
    matures_on  date    NOT NULL,
    released_on date             -- NULL until released
);

CREATE TABLE IF NOT EXISTS daily_releases (
    day      date    PRIMARY KEY,
    lots     integer NOT NULL,
    amount   numeric NOT NULL
);

-- Releases every lot matured on or before `as_of` that is not released yet.
-- Idempotent: a second call for the same day finds nothing left to release.
CREATE OR REPLACE FUNCTION release_matured_lots(as_of date)
RETURNS TABLE (lot_id bigint, owner text, amount numeric)
LANGUAGE sql AS $$
    UPDATE lots SET released_on = as_of
     WHERE matures_on <= as_of AND released_on IS NULL
    RETURNING id, owner, amount
$$;
