-- btree_gist lets an exclusion constraint combine equality on an agent with overlap of time
-- ranges: PostgreSQL itself refuses a double booking. It is a trusted extension, installed once
-- per database, in a schema of its own that no search path needs to include.
CREATE SCHEMA IF NOT EXISTS extensions;
GRANT USAGE ON SCHEMA extensions TO PUBLIC;
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA extensions;
