-- dtx's parameterised version of Datomic's bin/sql/postgres-table.sql. Run in the storage database.
-- Same columns and primary key constraint (pk_id) as the bundled script. Differences:
--   * no WITH (OIDS=FALSE): rejected by PostgreSQL 12 and later (it was the default anyway);
--   * the owner stays the admin role that creates it (the bundled script says postgres);
--   * NO "GRANT ALL ... TO public": the bundled grant lets every role on the server read and write
--     all Datomic data. dtx grants exactly what the transactor and peers use (select, insert,
--     update, delete) to the storage role only.
-- name: create-table
CREATE TABLE {{table}} (id text NOT NULL, rev integer, map text, val bytea, CONSTRAINT pk_id PRIMARY KEY (id));
-- name: grant
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {{table}} TO {{role}};
