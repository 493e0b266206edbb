-- Whether this store is a demo or real one, written once when the store is first opened:
-- a demo store (published passwords) never serves real data, and a real store never becomes a demo.
CREATE TABLE store_identity (
    key    VARCHAR PRIMARY KEY,
    value  VARCHAR NOT NULL
);
