-- The database every table of the pipeline lives in (runs on ClickHouse 18.16 and current servers).
CREATE DATABASE IF NOT EXISTS openledger;
