-- Housekeeping: when a series' files (spooled CT and written results) were deleted. History rows stay.
ALTER TABLE series ADD COLUMN purged_at timestamptz;
ALTER TABLE result_object ADD COLUMN purged_at timestamptz;
