-- The last loaded version of every police person: its report, role and source timestamp. Persistent (not rewritten per
-- batch): it gives reports their victim and suspect counts and tells the persons pipeline which versions it already has.
CREATE TABLE [stg].[police_person_role]
(
    [person_id] VARCHAR(30) NOT NULL,
    [report_number] VARCHAR(30) NOT NULL,
    [role] VARCHAR(20) NOT NULL,
    [source_updated_at] DATETIME2(3) NOT NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_police_person_role] PRIMARY KEY ([person_id])
);
