-- The database roles of docs/database-roles.md, as ops/stack.sh and ops/cluster.sh create them:
-- "consular" owns the schema and migrates (and, as a member of consular_maintenance, may see every
-- row for maintenance jobs); "consular_app" is the services' login, a member of consular_service,
-- held by row-level security. Run as a superuser; running it again changes nothing. Passwords
-- are not set here (the local stack's single cluster trusts its Unix socket; ops/cluster.sh sets
-- them).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'consular') THEN
    CREATE ROLE consular LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'consular_service') THEN
    CREATE ROLE consular_service NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'consular_maintenance') THEN
    CREATE ROLE consular_maintenance NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'consular_app') THEN
    CREATE ROLE consular_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE
      IN ROLE consular_service;
  END IF;
  IF NOT pg_has_role('consular', 'consular_maintenance', 'MEMBER') THEN
    GRANT consular_maintenance TO consular;
  END IF;
END
$$;
