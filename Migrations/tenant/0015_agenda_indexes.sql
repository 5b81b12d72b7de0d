-- An agent's week: the exclusion constraint's index on rdv_agents covers only the appointments
-- that still hold time (WHERE active), and the week shows cancelled ones too, so the agenda
-- read all of rdvs and rdv_agents. This one holds them all, by agent and span.
CREATE INDEX rdv_agents_agent_during ON rdv_agents USING gist (agent_id extensions.gist_uuid_ops, during);

-- The usager search matches the start of either name (lower(name) LIKE 'dur%'). Outside the C
-- collation a plain btree cannot serve LIKE, text_pattern_ops can; one per name for the OR.
CREATE INDEX usagers_last_name_prefix ON usagers (lower(last_name) text_pattern_ops);
CREATE INDEX usagers_first_name_prefix ON usagers (lower(first_name) text_pattern_ops);
