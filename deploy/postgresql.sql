-- The portal's database on a PostgreSQL server, made once by the server's superuser:
--
--   sudo -u postgres psql -v password="'a long random password'" -f deploy/postgresql.sql
--
-- then, in /etc/trekklisteportal/portal.env (deploy/systemd/portal.env.example):
--
--   PORTAL_DATABASE_URL=postgresql://trekkliste:PASSWORD@db-host/trekkliste
--
-- The portal's role owns its database and nothing else: no superuser, no new roles or databases.
-- The first app process to start creates the tables (the numbered migrations, under a lock, so
-- several starting at once is fine). tests/services/test_deploy_postgres.py runs this script and
-- then the portal's work as this role.
CREATE ROLE trekkliste LOGIN PASSWORD :password NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE trekkliste OWNER trekkliste ENCODING 'UTF8' TEMPLATE template0;
-- Only the portal's role connects: membership of a trade union is special-category data.
REVOKE ALL ON DATABASE trekkliste FROM PUBLIC;
\connect trekkliste
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT ALL ON SCHEMA public TO trekkliste;
