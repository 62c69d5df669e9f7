-- One user of the web app and its API: name, role (public, msc_analyst, iom_evaluator, reviewer, data_engineer, admin) and a salted password hash (ASP.NET Core Identity's PBKDF2 format).
CREATE TABLE [meta].[app_user]
(
    [user_name] VARCHAR(40) NOT NULL,
    [role] VARCHAR(20) NOT NULL,
    [password_hash] VARCHAR(200) NOT NULL,
    [created_at] DATETIME2(3) NOT NULL,
    CONSTRAINT [pk_app_user] PRIMARY KEY ([user_name])
);
