/// `README.md` of an archive: how it is laid out, how to restore or read it, and the data
/// dictionary (every table and column, from PostgreSQL's catalog), in French for whoever
/// receives the archive.
enum ArchiveDictionary {
    static func text(
        tenant: Tenant, catalog: ArchiveCatalog, tables: [ArchiveManifest.Table], sealed: Bool, exportedAt: String
    ) -> String {
        let counts = Dictionary(uniqueKeysWithValues: tables.map { ($0.name, $0.rows) })
        var text = """
            # Données du département \(tenant.name) (\(tenant.code.value))

            Archive exportée le \(exportedAt) (UTC) du schéma PostgreSQL `\(tenant.schemaName)`, en version de \
            migration \(catalog.migrations.map(\.version).max() ?? 0), fuseau horaire du département : \(tenant.timeZone).

            ## Contenu

            - `manifest.json` : version du format, du schéma, nombre de lignes par table, empreinte SHA-256 de chaque fichier.
            - `dump.sql` : le schéma et ses données en SQL ordinaire. Sur un PostgreSQL 15 nu :
              `createdb donnees && psql -v ON_ERROR_STOP=1 --single-transaction -d donnees -f dump.sql`
              (l’extension `btree_gist` est créée dans le schéma `extensions` ; aucun rôle n’est nommé).
            - `csv/<table>.csv` : une table par fichier, UTF-8, ligne d’en-tête, guillemets et fins de ligne CRLF \
            selon la RFC 4180. Une valeur absente (NULL) est un champ vide ; un texte vide s’écrit `""`. Les dates et \
            heures sont en UTC (`2026-03-05 09:30:00+00`), les JSON et intervalles tels que PostgreSQL les écrit.
            - `README.md` : ce fichier.

            ## Secrets


            """
        let secretList = ArchiveSecrets.columns.map { "`\($0.qualifiedName)`" }.joined(separator: ", ")
        text += sealed
            ? """
              Les colonnes secrètes (\(secretList)) ne figurent ni dans `dump.sql` ni dans les CSV : elles sont dans \
              `secrets.sealed`, chiffrées (ChaCha20-Poly1305) avec la clé de 32 octets fournie à l’export. \
              `rdv tenants import --ouvrir-secrets CLE` les restaure ; sans la clé elles sont illisibles.

              """
            : """
              Les colonnes secrètes (\(secretList)) ne sont pas dans l’archive : vides, ou remplies d’une valeur \
              aléatoire quand la colonne ne peut pas être vide (jetons, sessions, codes : plus aucun ne fonctionne). \
              Les agents et usagers devront choisir un nouveau mot de passe (« Mot de passe oublié ») et refaire leur \
              double authentification ; la clé du fournisseur SMS est à saisir de nouveau.

              """
        text += "\n## Dictionnaire des données\n"
        for table in catalog.tables {
            let secrets = Set(ArchiveSecrets.columns(of: table.name).map(\.column))
            let rows = counts[table.name] ?? 0
            text += "\n### `\(table.name)` (\(rows) \(rows > 1 ? "lignes" : "ligne"))\n\n"
            if let comment = table.comment { text += comment + "\n\n" }
            text += "| colonne | type | vide possible | remarque |\n|---|---|---|---|\n"
            for column in table.columns {
                var remark = column.comment ?? ""
                if secrets.contains(column.name) {
                    remark += (remark.isEmpty ? "" : " ") + (sealed ? "secret : dans `secrets.sealed` seulement" : "secret : absent de l’archive")
                }
                let escaped = remark.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
                text += "| `\(column.name)` | \(column.type) | \(column.notNull ? "non" : "oui") | \(escaped) |\n"
            }
        }
        return text
    }
}
