-- One hotline operator category and whether the TIP definition counts it as TIP (reference/operator_categories.csv).
CREATE TABLE [dw].[ref_operator_category]
(
    [operator_category] VARCHAR(40) NOT NULL,
    [is_tip] BIT NOT NULL,
    [exploitation_code] VARCHAR(30) NULL,
    [description_es] NVARCHAR(120) NOT NULL,
    CONSTRAINT [pk_ref_operator_category] PRIMARY KEY ([operator_category])
);
