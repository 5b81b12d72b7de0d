import PostgresNIO
import TestSupport
@testable import Tenancy

/// What Citus schema-based sharding needs of a département's schema, read from the catalogs
/// (deploy/SCALING.md, "What the schemas must keep"): once the schema is a distributed schema
/// placed whole on one worker, nothing in it may lean on another schema that lives elsewhere.
struct CitusPathChecker {
    let owner: OwnerDatabase

    /// Foreign keys allowed across schemas, as "schema-agnostic table.constraint → schema.table".
    /// Empty: a tenant table referencing `shared` would need `shared`'s table to become a Citus
    /// reference table, copied to every worker; SCALING.md says why none is worth it.
    static let allowedCrossSchemaForeignKeys: Set<String> = []

    /// Schemas a tenant schema may depend on: the catalog, and `extensions`, whose btree_gist
    /// operator classes every node installs (Citus propagates CREATE EXTENSION).
    static let allowedSchemas = ["pg_catalog", "extensions"]

    /// Every broken rule for `schema`, in words; empty when the schema can be distributed.
    func violations(schema: String) async throws -> [String] {
        var found: [String] = []
        // 1. Foreign keys that leave the schema, or come into it from another one.
        for row in try await owner.ownerQuery("""
            SELECT cn.nspname, cl.relname, c.conname, fn.nspname, fl.relname
            FROM pg_constraint c
            JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_namespace cn ON cn.oid = cl.relnamespace
            JOIN pg_class fl ON fl.oid = c.confrelid JOIN pg_namespace fn ON fn.oid = fl.relnamespace
            WHERE c.contype = 'f' AND cn.nspname <> fn.nspname AND \(schema) IN (cn.nspname, fn.nspname)
            ORDER BY 1, 2, 3
            """) {
            let (fromSchema, table, constraint, toSchema, target) = try row.decode((String, String, String, String, String).self)
            let key = "\(table).\(constraint) → \(toSchema).\(target)"
            if fromSchema == schema, Self.allowedCrossSchemaForeignKeys.contains(key) { continue }
            found.append("foreign key \(fromSchema).\(table).\(constraint) references \(toSchema).\(target)")
        }
        // 2. Objects of the schema (tables, views, functions, types, constraints, defaults, rules
        //    of views, triggers, indexes) that depend on an object of another schema.
        for row in try await owner.ownerQuery("""
            WITH owned AS (
                SELECT d.*, CASE d.classid
                    WHEN 'pg_rewrite'::regclass THEN (SELECT c.relnamespace FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE r.oid = d.objid)
                    WHEN 'pg_trigger'::regclass THEN (SELECT c.relnamespace FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.oid = d.objid)
                    WHEN 'pg_attrdef'::regclass THEN (SELECT c.relnamespace FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid WHERE a.oid = d.objid)
                    WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid = d.objid)
                    WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid = d.objid)
                    WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid = d.objid)
                    WHEN 'pg_constraint'::regclass THEN (SELECT connamespace FROM pg_constraint WHERE oid = d.objid)
                END AS namespace
                FROM pg_depend d
                WHERE d.deptype IN ('n', 'a')
            )
            SELECT DISTINCT (pg_identify_object(o.classid, o.objid, o.objsubid)).identity,
                   (pg_identify_object(o.refclassid, o.refobjid, o.refobjsubid)).identity,
                   (pg_identify_object(o.refclassid, o.refobjid, o.refobjsubid)).schema
            FROM owned o JOIN pg_namespace n ON n.oid = o.namespace
            WHERE n.nspname = \(schema) AND o.refclassid <> 'pg_namespace'::regclass
              -- Foreign keys were judged above, with their allow-list.
              AND NOT (o.classid = 'pg_constraint'::regclass AND EXISTS (SELECT 1 FROM pg_constraint k WHERE k.oid = o.objid AND k.contype = 'f'))
            """) {
            let (dependent, referenced, referencedSchema) = try row.decode((String, String, String?).self)
            guard let referencedSchema, referencedSchema != schema, !Self.allowedSchemas.contains(referencedSchema) else { continue }
            found.append("\(dependent) depends on \(referenced) (schema \(referencedSchema))")
        }
        let others = try await otherSchemas(than: schema)
        // 3. Function bodies are text to PostgreSQL (no dependency is recorded): no other schema
        //    may be named in them, nor a search path set that reaches one.
        for row in try await owner.ownerQuery("""
            SELECT p.proname, p.prosrc, coalesce(array_to_string(p.proconfig, ' '), '')
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = \(schema)
            ORDER BY 1
            """) {
            let (name, source, settings) = try row.decode((String, String, String).self)
            let text = (source + " " + settings).lowercased()
            for other in others where text.contains(other + ".") || settings.contains(other) {
                found.append("function \(schema).\(name) names schema \(other)")
            }
        }
        // 4. Every table has a primary key (Citus moves and repairs tables by it, and logical
        //    replication, which citus_schema_move uses, needs one for updates and deletes).
        for row in try await owner.ownerQuery("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = \(schema) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')
            ORDER BY 1
            """) {
            found.append("table \(schema).\(try row.decode(String.self)) has no primary key")
        }
        return found
    }

    /// Every schema of the database but `schema` and PostgreSQL's own.
    func otherSchemas(than schema: String) async throws -> [String] {
        try await owner.ownerQuery("""
            SELECT nspname FROM pg_namespace
            WHERE nspname <> \(schema) AND nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'extensions')
            """).map { try $0.decode(String.self) }
    }

    /// Tables, views, sequences, indexes, functions and types outside every département schema,
    /// to compare before and after a tenant migration (which must create nothing there).
    func objectsOutside(tenantSchemas: [String]) async throws -> Set<String> {
        let rows = try await owner.ownerQuery("""
            SELECT 'relation ' || n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE NOT (n.nspname = ANY(\(tenantSchemas))) AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
            UNION ALL
            SELECT 'function ' || n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE NOT (n.nspname = ANY(\(tenantSchemas))) AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
            UNION ALL
            SELECT 'type ' || n.nspname || '.' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE NOT (n.nspname = ANY(\(tenantSchemas))) AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
            UNION ALL
            SELECT 'schema ' || nspname FROM pg_namespace WHERE NOT (nspname = ANY(\(tenantSchemas)))
            """)
        return Set(try rows.map { try $0.decode(String.self) })
    }
}
