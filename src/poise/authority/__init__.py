"""The authority front door: public directory, verified authority accounts, structured requests with
deadlines, the principles-as-code policy engine, four-eyes disclosures, geo-restriction and withdrawal."""
