"""maplib: the CSV files of bench/peers/flatten.py to N-Triples with the templates beside this file.

    bench/out/venv-maplib/bin/python bench/peers/maplib/map.py bench/out/csv-10000 -o out.nt

Runs in maplib's own virtual environment (bench/run.py makes it): it needs only
polars and maplib. Reads each CSV file (every column a string, an empty field
null), makes the IRI and language-tagged columns with polars expressions, maps
each template over its table and writes the model as N-Triples.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl
from maplib import Model

KG = "https://example.org/kg/"
TPL = "https://example.org/kg/bench/template#"
LANGSTRING = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>"
DATACITE = "http://purl.org/spar/datacite/"


def iri(*parts: str | pl.Expr) -> pl.Expr:
    """A column of IRIs: text and columns joined (null where a column is null)."""
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in parts])


def tagged(column: str, language: str) -> pl.Expr:
    """A column of language-tagged strings, as maplib holds them."""
    return pl.struct(pl.col(column).alias(LANGSTRING), pl.lit(language).alias("l"))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("csv", type=Path, help="the folder of bench/peers/flatten.py's CSV files")
    ap.add_argument("-o", "--output", type=Path, required=True)
    args = ap.parse_args()

    def read(name: str) -> pl.DataFrame:
        return pl.read_csv(args.csv / f"{name}.csv", infer_schema=False)

    m = Model()
    m.add_template((Path(__file__).parent / "templates.stottr").read_text(encoding="utf-8"))
    doi = pl.col("doi")
    article = iri(KG + "doi/", doi)
    articles = read("articles").select(
        article.alias("article"),
        tagged("title", "en").alias("title"),
        pl.when(pl.col("abstract").is_not_null()).then(tagged("abstract", "en")).alias("abstract"),
        iri("http://id.loc.gov/vocabulary/iso639-1/", pl.col("language")).alias("language"),
        pl.col("year"),
        pl.col("date").str.to_date("%Y-%m-%d"),
        pl.col("issued"),
        doi,
        iri(KG + "identifier/doi/", doi).alias("identifier"),
        iri(KG, pl.col("container")).alias("container"),
        pl.col("first_page"),
        pl.col("last_page"),
        pl.col("pages"),
        pl.col("license"),
    )
    m.map(TPL + "Article", articles)
    m.map(TPL + "Subject", read("subjects").select(article.alias("article"), pl.col("keyword")))
    journal = iri(KG + "journal/issn/", pl.col("issn"))
    journals = read("journals").select(
        journal.alias("journal"),
        tagged("title", "und").alias("title"),
        pl.col("issn_print"),
        pl.col("issn_electronic"),
    )
    m.map(TPL + "Journal", journals)
    volume = iri(KG + "journal/issn/", pl.col("issn"), "/volume/", pl.col("volume"))
    volumes = read("volumes").select(volume.alias("volume_iri"), "volume", journal.alias("journal"))
    m.map(TPL + "Volume", volumes)
    issue = iri(volume, "/issue/", pl.col("issue"))
    issues = read("issues").select(issue.alias("issue_iri"), "issue", volume.alias("volume_iri"))
    m.map(TPL + "Issue", issues)
    orcid = pl.col("orcid")
    authorships = read("authorships").select(
        article.alias("article"),
        iri(KG + "doi/", doi, "/author/", pl.col("position")).alias("role"),
        iri(KG + "doi/", doi, "/author/", pl.col("next")).alias("next_role"),
        iri(KG + "person/", pl.col("person")).alias("person"),
        "name",
        "family",
        "given",
        iri(KG + "identifier/orcid/", orcid).alias("orcid_iri"),
        orcid,
    )
    m.map(TPL + "Authorship", authorships)
    orcids = authorships.filter(orcid.is_not_null()).select(
        pl.col("orcid_iri").alias("id"),
        pl.lit(DATACITE + "orcid").alias("scheme"),
        orcid.alias("value"),
    )
    m.map(TPL + "Identifier", orcids.unique())
    ror = pl.col("ror")
    affiliations = read("affiliations").select(
        iri(KG + "doi/", doi, "/author/", pl.col("position")).alias("role"),
        iri(KG + "org/ror/", ror).alias("organisation"),
    )
    m.map(TPL + "Affiliation", affiliations)
    organisations = read("organisations").select(
        iri(KG + "org/ror/", ror).alias("organisation"),
        tagged("name", "und").alias("name"),
        iri(KG + "identifier/ror/", ror).alias("identifier"),
        ror,
    )
    m.map(TPL + "Organisation", organisations)
    m.write(str(args.output), format="ntriples")


if __name__ == "__main__":
    main()
