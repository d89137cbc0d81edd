-- Metadata columns a layout does not map (a generic CSV's extra columns): {"column": "value", ...} per image, shown as
-- fields in the Datasets view's sidebar and filterable there (issue 17: "any imported column").
ALTER TABLE images ADD COLUMN fields_json TEXT;
