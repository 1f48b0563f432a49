"""Countries as affiliation strings name them: the names the index's records give, and
the other names and codes people write (``USA``, ``UK``, ``South Korea``, ``Brasil``)."""

from __future__ import annotations

# normalised (org_key) names -> ISO 3166-1 alpha-2, besides the records' own country names
COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "u s a": "US", "united states": "US",
    "united states of america": "US", "america": "US",
    "uk": "GB", "u k": "GB", "united kingdom": "GB", "great britain": "GB", "britain": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "south korea": "KR", "korea": "KR", "republic of korea": "KR", "korea south": "KR",
    "russia": "RU", "russian federation": "RU", "rossiia": "RU", "rossiya": "RU",
    "china": "CN", "p r china": "CN", "pr china": "CN", "peoples republic of china": "CN",
    "people s republic of china": "CN", "prc": "CN",
    "hong kong": "HK", "hong kong sar": "HK", "hong kong sar china": "HK",
    "taiwan": "TW", "republic of china": "TW",
    "brasil": "BR", "brazil": "BR", "deutschland": "DE", "germany": "DE",
    "france": "FR", "italia": "IT", "italy": "IT", "espana": "ES", "spain": "ES",
    "netherlands": "NL", "holland": "NL", "nederland": "NL", "belgique": "BE",
    "belgie": "BE", "belgium": "BE", "schweiz": "CH", "suisse": "CH", "switzerland": "CH",
    "osterreich": "AT", "oesterreich": "AT", "austria": "AT", "sverige": "SE",
    "sweden": "SE", "norge": "NO", "norway": "NO", "danmark": "DK", "denmark": "DK",
    "suomi": "FI", "finland": "FI", "polska": "PL", "poland": "PL", "hrvatska": "HR",
    "croatia": "HR", "cesko": "CZ", "czech republic": "CZ", "czechia": "CZ",
    "turkey": "TR", "turkiye": "TR", "japan": "JP", "nippon": "JP", "india": "IN",
    "south africa": "ZA", "republic of south africa": "ZA", "rsa": "ZA",
    "australia": "AU", "canada": "CA", "mexico": "MX", "egypt": "EG", "iran": "IR",
    "islamic republic of iran": "IR", "viet nam": "VN", "vietnam": "VN",
    "saudi arabia": "SA", "kingdom of saudi arabia": "SA", "ksa": "SA",
    "uae": "AE", "united arab emirates": "AE", "nigeria": "NG", "algeria": "DZ",
    "bulgaria": "BG", "greece": "GR", "portugal": "PT", "ireland": "IE", "israel": "IL",
    "new zealand": "NZ", "singapore": "SG", "malaysia": "MY", "thailand": "TH",
    "indonesia": "ID", "pakistan": "PK", "bangladesh": "BD", "ukraine": "UA",
    "ukraina": "UA", "belarus": "BY", "kazakhstan": "KZ", "rossiiskaia federatsiia": "RU",
    "rossiiskaya federatsiya": "RU", "argentina": "AR", "chile": "CL", "colombia": "CO",
    "peru": "PE", "hungary": "HU", "romania": "RO", "serbia": "RS", "slovenia": "SI",
    "slovakia": "SK", "estonia": "EE", "latvia": "LV", "lithuania": "LT",
}  # fmt: skip

# two letters that are also a US state's, a Canadian province's or an Australian state's
# code: never taken for a country (``Knoxville, TN`` is not Tunisia, ``PA`` not Panama)
NOT_COUNTRY_CODES = frozenset(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI "
    "AB BC MB NB NL NS NT NU ON PE QC SK YT SA WA".split()
)
