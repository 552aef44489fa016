"""A synthetic country: deterministic, realistic, and never mistakable for real people.

Every PIN it makes has a serial starting with 9 (a range this project reserves), names are Kyrgyz,
Uzbek and Russian as written in Cyrillic (with ң ө ү), territory codes sit under real oblast and
rayon СОАТЕ prefixes, and the proportions of households, social passports, land queue, municipal
property and LSG passports follow FACTS §10.  The same ``--seed`` on the same database state gives
the same rows, byte for byte.
"""
