-- One penal code article in one legal wording, valid over a date range (Law 28950 of January 2007 redefines article 153). -1 is unknown.
CREATE TABLE [dw].[dim_crime_type]
(
    [crime_type_key] INT NOT NULL CONSTRAINT [df_crime_type_key] DEFAULT (NEXT VALUE FOR [dw].[seq_crime_type_key]),
    [penal_article] VARCHAR(10) NOT NULL,
    [article_name] NVARCHAR(160) NOT NULL,
    [crime_family] VARCHAR(40) NOT NULL,
    [tip_relevance] VARCHAR(12) NOT NULL,
    [is_tip_related] BIT NOT NULL,
    [valid_from] DATE NOT NULL,
    [valid_to] DATE NULL,
    [legal_basis] NVARCHAR(120) NULL,
    CONSTRAINT [pk_dim_crime_type] PRIMARY KEY ([crime_type_key]),
    CONSTRAINT [uq_dim_crime_type_penal_article_valid_from] UNIQUE ([penal_article], [valid_from])
);
