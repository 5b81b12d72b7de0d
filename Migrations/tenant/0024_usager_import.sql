-- Bulk import of usagers from a spreadsheet: their postal address (free text, as the services
-- write it), indexes for finding the records that may be the same person (same birth date,
-- phone or email) without reading every usager, and the access trail's entry for an import.
ALTER TABLE usagers ADD COLUMN address text CHECK (length(address) BETWEEN 1 AND 300);
CREATE INDEX usagers_birth_date ON usagers (birth_date);
CREATE INDEX usagers_phone ON usagers (phone);
CREATE INDEX usagers_email ON usagers (lower(email));

ALTER TABLE usager_access_trail DROP CONSTRAINT usager_access_trail_action_check;
ALTER TABLE usager_access_trail ADD CONSTRAINT usager_access_trail_action_check
    CHECK (action IN ('viewed', 'searched', 'exported', 'changed', 'imported'));
