-- The portal's database on a PostgreSQL server, made once by the server's superuser:
--
--   sudo -u postgres psql -v owner_password="'a long random password'" \
--        -v password="'another long random password'" -f deploy/postgresql.sql
--
-- Two roles, least privilege (issue 21):
-- - trekkliste_eier owns the database and its tables. It runs the migrations, as an operator's
--   command, once now and after every upgrade:
--     PORTAL_DATABASE_URL=postgresql://trekkliste_eier:OWNER_PASSWORD@db-host/trekkliste \
--       .venv/bin/python -m services.cli migrate --grant-to trekkliste
--   and deletes old audit rows (`services.cli purge-audit`, from cron).
-- - trekkliste is the role the portal, the sidecar and the command line run as
--   (PORTAL_DATABASE_URL=postgresql://trekkliste:PASSWORD@db-host/trekkliste in
--   /etc/trekklisteportal/portal.env, deploy/systemd/portal.env.example). It may read and write
--   rows and nothing else: no table made, altered, dropped or truncated, no trigger disabled, and
--   the audit log only added to. Whoever gets the portal's connection cannot erase the trail of
--   what they did.
-- Neither is a superuser or may make roles or databases. tests/services/test_deploy_postgres.py
-- runs this script, the migration as the owner, and the portal's month and a list of tampering
-- statements as the portal's role.
CREATE ROLE trekkliste_eier LOGIN PASSWORD :owner_password NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE trekkliste LOGIN PASSWORD :password NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
CREATE DATABASE trekkliste OWNER trekkliste_eier ENCODING 'UTF8' TEMPLATE template0;
-- Only the portal's roles connect: membership of a trade union is special-category data.
REVOKE ALL ON DATABASE trekkliste FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE trekkliste TO trekkliste;
\connect trekkliste
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO trekkliste_eier;
GRANT USAGE ON SCHEMA public TO trekkliste;
