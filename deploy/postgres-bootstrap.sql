-- One-time setup of an external PostgreSQL for the platform, run as a superuser.
-- Replace the passwords; then point DATABASE_URL at rdv_app and DATABASE_OWNER_URL at rdv_owner.

-- Owns every schema and table, runs migrations, creates one NOLOGIN role per département.
CREATE ROLE rdv_owner LOGIN CREATEROLE PASSWORD 'change-me-owner';
-- The application's login role. NOINHERIT: it holds none of a département's rights until it
-- has done SET ROLE to that département's role, inside a transaction.
CREATE ROLE rdv_app LOGIN NOINHERIT PASSWORD 'change-me-app';

CREATE DATABASE rdv OWNER rdv_owner;
REVOKE ALL ON DATABASE rdv FROM PUBLIC;
GRANT CONNECT ON DATABASE rdv TO rdv_app;
