-- dtx's parameterised version of Datomic's bin/sql/postgres-user.sql (CREATE ROLE datomic LOGIN
-- PASSWORD 'datomic'). The password literal is a SCRAM-SHA-256 verifier computed by dtx when the
-- password is plain ASCII, so the clear password never reaches the server's statement log.
-- name: create-role
CREATE ROLE {{role}} LOGIN PASSWORD {{password}};
-- name: reset-password
ALTER ROLE {{role}} WITH LOGIN PASSWORD {{password}};
