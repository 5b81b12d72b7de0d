-- Names compared the way people read them, in SQL too: an ICU collation at primary strength
-- ignores case and accents ("LEFÈVRE" = "Lefevre"), whatever the database's locale (lower()
-- follows it: under C it leaves "È" as it is). It narrows the search for records that may be the
-- same person; the application's comparison decides. The index serves the records without a
-- birth date, found by their last name alone.
CREATE COLLATION name_folded (provider = icu, locale = 'und-u-ks-level1', deterministic = false);
CREATE INDEX usagers_last_name_folded ON usagers ((last_name COLLATE name_folded));
