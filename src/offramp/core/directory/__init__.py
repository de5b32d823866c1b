"""The program directory: Open Referral HSDS 3.0 tables with Offramp's extensions (`schema`), importers
(`hsds`, `samhsa`), merging across sources (`merge`), HSDS 3.0 export (`export`) and the matcher
(`matching`). Pure Python + Polars, no Django."""
