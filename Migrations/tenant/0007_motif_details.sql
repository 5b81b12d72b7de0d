-- The room link of video appointments, from a template per motif ("{code}" becomes a code
-- proper to each RDV), and whether a lieu takes part in slot searches is already its status.
ALTER TABLE motifs ADD COLUMN video_link_template text NOT NULL DEFAULT ''
    CHECK (video_link_template = '' OR video_link_template ~ '^https://');
