"""Defence-spending claims: who spends what share of GDP (or how many euros or dollars), by when.

The extractor reads each sentence that holds a percentage or a sum of money and decides, for
every such quantity, from the words around it:

* is it defence spending at all? (a defence or spending cue nearer to it than a cue of another
  domain: deficit, debt, inflation, growth, votes, aid, ...; sums need a defence budget or
  "on defence" attached, because contract prices and programme costs are sums too)
* is it a level, not a change? ("by 0.3 %", "an additional EUR 20m", "+EUR 298m" are changes)
* the year or period ("by 2030", "in 2024-2027", "for the 2026-29 period", "next year")
* target or actual (a pledge, goal or plan versus a level reached or budgeted for a year)
* the actor (named, possessive, "in <country>", the NATO guideline, or the country a pronoun or
  "the country" refers to) and the speaker.

A level stated twice in one text (a headline and its body, "3.15 % in 2026" then "3.15 %") is one
claim: restatements without a year are dropped in favour of the dated statement.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from analysis.claims.actors import ActorMention, coordinated_before, join_names
from analysis.claims.document import Document
from analysis.claims.patterns import Anchored, Folded, Needled
from analysis.claims.numbers import (
    CURRENCY_UNITS,
    DIGITS,
    NUMBER,
    QUALIFIER,
    QUALIFIERS,
    RELATIVE_YEAR,
    SCALE,
    YEAR,
    YearRef,
    as_float,
    in_years,
    parse_number,
    relative_year,
    scale_factor,
    short_year,
)
from analysis.claims.sentences import Sentence
from analysis.claims.speakers import Attribution
from analysis.model import Claim

# A text (and a sentence) is only read when its lower-cased form holds one of these:
# [%€$]|per ?cent|euro|eur\b|usd\b|dollar|pct\b|\dpc\b|\d pc\b, written to start with one character
# class; the look-behinds then say which of them it is. The anchors find every place it can match
# with str.find ("pc" one or two characters after the digit), far faster than a scan of the text.
TRIGGER = Anchored(
    re.compile(r"[%€$peud\d](?:(?<=[%€$])|(?<=p)(?:er ?cent|ct\b)|(?<=e)(?:uro|ur\b)|(?<=u)sd\b|(?<=d)ollar|(?<=\d) ?pc\b)"),
    anchors=(("%", 0), ("€", 0), ("$", 0), ("per cent", 0), ("percent", 0), ("pct", 0), ("eur", 0), ("usd", 0),
             ("dollar", 0), ("pc", 1), ("pc", 2)),
)
DEFENCE_ANYWHERE = re.compile(r"defen[cs]|militar|arm(?:y|ed forces|ament)|nato|allie|alliance|security|war chest")

# -- the quantities ----------------------------------------------------------------------------
# Cheap tests before the full patterns run on a sentence.
PERCENT_SIGN = Needled(re.compile(r"%|[Pp]er ?cent|PERCENT|PER CENT|pct|\dpc\b|\d pc\b"),
                       needles=("%", "er cent", "ercent", "ER CENT", "ERCENT", "pc"))
CURRENCY_SIGN = re.compile(r"[€$£]|EUR|USD|GBP|PLN|SEK|NOK|DKK|[Ee]uro|[Dd]ollar|zlot|[Pp]ounds|kron|crowns|roubl|rubl")
PERCENT = Folded(re.compile(
    rf"""(?<![\w.,])
    (?:(?P<between>between)\s+)?
    (?:(?P<low>{NUMBER})\s*(?:%|\s?per\s?cent\b|\s?percent\b)?\s*(?P<joiner>[-–—]|\s+to\s+|\s+and\s+)\s*)?
    (?P<value>{NUMBER})[\s-]?(?P<sign>%|per\s?cent\b|percent\b|pct\b|pc\b|\[\s*(?:per\s?cent|percent)\b)""",
    re.X | re.I,
))
# Sums also group thousands with plain spaces ("EUR 1 559 433 634", "1 359 million euros").
_MONEY_DIGITS = rf"(?:\d{{1,3}}(?:\ \d{{3}})+(?![\d.,]\d)|{DIGITS})"
MONEY = re.compile(
    rf"""(?<![\w.,])(?:
      (?P<pre>€|EUR|US\$|\$|USD|£|GBP|PLN|SEK|NOK|DKK)\s?
        (?:(?P<low1>{DIGITS})\s?(?:[-–]|\s+to\s+)\s?)?(?P<num1>{_MONEY_DIGITS})(?:\s?(?P<scale1>{SCALE}))?
    | (?:(?:(?P<low2>{DIGITS})\s?(?:[-–]|\s+to\s+)\s?)?(?P<num2>{_MONEY_DIGITS})(?:\s?(?P<scale2>{SCALE}))?
       | (?P<word2>a|an|one|two|three|four|five|half\s+a)\s+(?P<word_scale>trillion|billion|million))
      \s?(?P<post>(?i:euros?|eur|dollars|us\s+dollars|usd|zlotys?|pln|pounds|kronor|kroner|crowns|roubles|rubles))\b
    )""",
    re.X,
)
# What a share is a share of: only the economy counts ("of GDP", "of its gross domestic product").
GDP_PHRASE = re.compile(
    r"""\s*(?:\[\s*of\s+GDP\s*\]|\(\s*of\s+GDP\s*\)|
      (?:of\s+)?(?:(?:the|its|their|our|his|her|national|annual|[\w'’]+(?:'s|’s)|countries|country|nation's|economic)\s+){0,3}
      (?:gross\s+domestic\s+product|GDP|GNP|GNI|gross\s+national\s+(?:product|income)|national\s+output|economic\s+output|economy|national\s+income)
      (?:\s*\((?:GDP|GNP|GNI)\))?)""",
    re.X | re.I,
)
SHARE_OF_OTHER = re.compile(r"\s*of\s+(?!GDP|gross|national\s+output|economic\s+output|the\s+economy)\S", re.I)

# -- domain cues: the nearest one decides ------------------------------------------------------
# (Word lists here and below are grouped by first letter, "a(?:id|ssistance)": the regex engine
# then tries a handful of words at each word start, not all of them. Within a letter the order
# is kept, so every match is the same as with the flat list. The busiest lists are Folded, or
# Needled where a few words must occur: see analysis/claims/patterns.py.)
DEFENCE = re.compile(
    r"\b(?:defen[cs]e|military|a(?:rmed\s+forces|rmy|rmament\w*|lliance|llies|llied)|"
    r"n(?:ational\s+security|ATO)|security\s+spending|war\s+chest)\b",
    re.I,
)
SPENDING = re.compile(
    r"\b(?:s(?:pend\w*|pent)|b(?:udget\w*|enchmarks?|ar)|e(?:xpenditures?|armark\w*)|outlays?|"
    r"f(?:und(?:s|ing|ed)?|inanc\w*)|invest(?:s|ing|ed|ment|ments)?|a(?:llocat\w*|llot\w*)|"
    r"d(?:edicat\w*|evot\w*)|t(?:argets?|hresholds?)|g(?:oals?|uidelines?)|c(?:ommit\w*|ontribut\w*)|"
    r"pledge[sd]?|norm|requirement|minimum)\b",
    re.I,
)
OTHER_DOMAIN = Folded(re.compile(
    r"\b(?:a(?:pproval|id|ssistance)|b(?:orrowing|allots?|irths?)|c(?:PI|onsumption|ulture|hance|apacity)|"
    r"d(?:eficits?|ebts?|onat\w*|ividends?)|"
    r"e(?:conomy|conomic|xports?|ducation|nergy|lectricity|missions|mployment|arnings)|"
    r"g(?:rowth|r(?:ow(?:s|n|ing)?|ew)(?!\s+to\b)|overnment\s+(?:spending|expenditure))|"
    r"h(?:ealth(?:care)?|umanitarian)|"
    r"i(?:nflation|nterest|mports?|nterest\s+rates?|nfrastructure|nnovation|ndustry|ndustrial)|jobless|"
    r"l(?:evy|ikelihood|oans?)|m(?:ajority|arkets?|igrants?|ortgage)|occupancy|"
    r"p(?:rices?|olls?|olling|ensions?|opulation|robability|roductivity|rofits?|"
    r"ublic\s+(?:investment|spending|expenditure|sector)|roduction)|"
    r"r(?:evenues?|espondents|atings?|efugees?|etail|esearch|&D)|"
    r"s(?:urplus(?:es)?|urveys?|urveyed|upport(?:ed|ers|s)?|eats|alar(?:y|ies)|ocial|take|ales|avings)|"
    r"t(?:ax(?:es|ation)?|urnout|urnover)|u(?:nemployment|tili[sz]ation)|v(?:AT|otes?|oted|oters)|wages?|yields?)\b",
    re.I,
))
# Money or a share given to another country is aid, not the giver's defence spending.
AID = re.compile(
    r"\b(?:a(?:id|ssistance)|support\s+(?:for|to)|donations?|for\s+Ukraine|to\s+Ukraine|Ukraine(?:'s|’s)|"
    r"(?:help|support|assist|arm)(?:s|ed|ing)?\s+Ukraine)\b",
    re.I,
)

# -- not a level -------------------------------------------------------------------------------
CHANGE_BEFORE = re.compile(
    rf"(?:\b(?:b(?:y|oost\s+of)|up|d(?:own|ropped)|a(?:dditional|nother)|extra|f(?:urther|ell)|plus|"
    rf"i(?:ncrease\s+of|ncrement\s+of|ncreased)|r(?:ise\s+of|eduction\s+of|ose)|hike\s+of|g(?:rowth\s+of|rew)|"
    rf"j(?:ump\s+of|umped)|top-up\s+of|c(?:ut\s+of|limbed)|s(?:urged|oared|upplementary))|\+)"
    rf"\s*(?:{QUALIFIERS})?\s*$",
    re.I,
)
CHANGE_AFTER = re.compile(
    r"\s*(?:percentage\s+points?|points?\b|pp\b|more\b|less\b|higher|lower|increase|rise|jump|surge|hike|"
    r"growth|drop|fall|decline|cut|reduction|boost|year[- ]on[- ]year|y/y|on\s+(?:the\s+)?year|"
    r"compared|from\s+(?:a\s+)?year|over\s+(?:the\s+)?previous|up\s+from|down\s+from|above\s+last|"
    r"on\s+last)",
    re.I,
)
RATE_AFTER = re.compile(
    r"\s*(?:/|per\s+(?:month|year|day|night|capita|person|head|soldier|unit|hour|week)|a\s+(?:month|day|night|week)"
    r"|each\b|apiece\b|monthly\b)",
    re.I,
)
# A number of countries meeting a level is not a level anyone spends ("18 allies spend 2 %").
COUNTED_COUNTRIES = Needled(re.compile(
    rf"(?<!\ball\s)(?<!\bthe\s)\b(?:{NUMBER}|most|many|several|few|only\s+a\s+few|a\s+(?:handful|few|number|majority|"
    r"third|quarter)|half|a\s+dozen|(?:two|three)[\s-](?:thirds|quarters))\s+(?:of\s+(?:the\s+)?(?:NATO(?:'s|’s)?\s+|EU(?:'s|’s)?\s+)?(?:\d+\s+)?)?"
    r"(?:NATO\s+|European\s+|EU\s+|other\s+)?(?:countries|allies|members|member\s+states|nations|states|governments)\b",
    re.I,
), folded=("countries", "allies", "members", "states", "nations", "governments"))
# "If every member spent 3 % ...": a hypothetical is neither a pledge nor a level.
HYPOTHETICAL = Needled(
    re.compile(r"^\W*(?:[Ii]f|[Uu]nless|[Ss]uppose|[Ww]ere)\b|\b(?:if|unless)\s+(?:[\w'’-]+\s+){0,6}$"),
    needles=("if", "If", "nless", "uppose", "Were", "were"),
)
# "... could rise to 3-3.5 %", "perhaps we may move to 5 %": a hedged figure is no claim (LABELING.md).
# The hedge governs the figure: at most four words between ("could meet its goals by spending 2 %"
# says what is spent). Lower-case only: "May" is a month.
HEDGED_BEFORE = Needled(re.compile(r"\b(?:could|may|might|possibly|potentially|perhaps)\s+(?:[\w'’-]+\s+){0,4}$"),
                        needles=("could", "may", "might", "possibly", "potentially", "perhaps"))
# "..., of which 3.5 % for core defence": a component of a level stated before.
COMPONENT_BEFORE = re.compile(r"\b(?:of\s+which|including|includes|out\s+of\s+which)\s+(?:[\w-]+\s+){0,2}$", re.I)
PROCUREMENT_BEFORE = Folded(re.compile(
    r"\b(?:c(?:ontracts?|osts?|osting|ompensation)|d(?:eals?|onat\w*)|"
    r"p(?:urchas\w*|rocur\w*|riced?|ackages?)|a(?:cqui\w*|id|ssistance)|b(?:uy\w*|ought)|"
    r"o(?:rders?|rdered|f\s+which)|w(?:orth|ages?)|valued|t(?:enders?|ranche)|loans?|grants?|fines?|"
    r"s(?:alar\w*|ubsid\w*|ales?|old|ell\w*)|i(?:ncluding|ncludes|nstalment))\b",
    re.I,
))
PROCUREMENT_AFTER = re.compile(
    r"\s*(?:[\w-]+\s+){0,2}?(?:contracts?|deals?|orders?|packages?|loans?|programmes?|programs?|projects?|"
    r"purchases?|tenders?|sales?|grants?|aid|tranche|costs?|price|bill|funds?|facility|facilities)\b",
    re.I,
)

# -- what a sum or share is spent on -----------------------------------------------------------
# Money is a defence-spending level only when a defence budget governs it ...
SPENDING_HEAD = re.compile(
    r"\b(?:defen[cs]e|military|armed\s+forces|army|national\s+defen[cs]e|national\s+security)\s+"
    r"(?:budget|budgets|spending|expenditures?|outlays?|funding|allocations?|appropriations?)\b|"
    r"\bbudget\s+(?:for|of)\s+(?:the\s+)?(?:ministry\s+of\s+)?(?:national\s+)?defen[cs]e\b|"
    r"\bspending\s+on\s+(?:national\s+)?defen[cs]e\b|\bdefen[cs]e\s+ministry(?:'s|’s)?\s+budget\b|"
    r"\b(?:ministry\s+of\s+(?:national\s+)?defen[cs]e|defen[cs]e\s+ministry|armed\s+forces)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:receives?|received|gets?|got|be\s+allocated|is\s+allocated|was\s+allocated)\b",
    re.I,
)
# "EUR 2.1 billion defence budget", "$850 billion in military spending": the head after the sum.
HEAD_AFTER = re.compile(
    r"\s*(?:in\s+)?(?:(?:new|annual|total|overall|record|national|core)\s+)*(?:defen[cs]e|military)\s+"
    r"(?:budget|spending|expenditures?|outlays?|funding)\b",
    re.I,
)
# ... or it is spent "on defence" ...
GENERIC_OBJECT = re.compile(
    # "3.5 % for core defence", "... towards direct defence expenditure": the Hague split's defence share
    r"(?:(?:the|its|their|our|national|total|overall|core|direct|basic|hard|pure|traditional|country's|country’s)\s+)*(?:"
    r"re-?armament|"
    r"defen[cs]e(?!\s+(?:equipment|industry|procurement|projects?|infrastructure|systems?|capabilit\w+|"
    r"purchases?|acquisitions?|investments?|programmes?|programs?|companies|firms))|"
    r"military(?!\s+(?:aid|assistance|support|equipment|infrastructure|mobility|hardware|purchases?|mobility))|"
    r"armed\s+forces|army|(?:national\s+)?security(?:\s+and\s+defen[cs]e)?)",
    re.I,
)
# ... and not on one purpose ("on the brigade", "for air defence", "to Ukraine").
PASSIVE_SPENDING = re.compile(
    r"\s*(?:(?:will|would|is|are|was|were|has|have|had|should|must|shall)\s+)?(?:(?:be|been|being|also|set\s+to|to)\s+)*"
    r"(?:allocated|earmarked|spent|devoted|dedicated|set\s+aside|budgeted|channell?ed|directed|invested|"
    r"assigned|provided|goes|go|going|went|flow|flows)(?=\s+(?:for|on|to|into|towards)\b)",
    re.I,
)
PURPOSE_PREPOSITION = re.compile(r"\s*(?P<prep>for|on|to|into|towards|in)\s+(?P<object>.{0,60})", re.I | re.S)
NEUTRAL_OBJECT = re.compile(
    rf"(?:the\s+)?(?:{YEAR}|first\s+time|next|coming|following|current|period|years?|decades?|now|average|"
    r"paper|record|the\s+eve|top|par|schedule|time|instance|example|Monday|Tuesday|Wednesday|Thursday|"
    r"Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|"
    r"November|December|\d|"
    # "from 1.3 % of GDP to over 3 %": the level it goes to, not what the money is for
    r"(?:over|above|under|below|about|around|almost|nearly|roughly|some|at\s+least|more\s+than|less\s+than)(?:\s+\d|\s*$))",
    re.I,
)
# "to meet the target", "to strengthen defence": an infinitive says why, not on what the money goes.
INFINITIVE = re.compile(
    r"(?:meet|reach|ensure|strengthen|enable|boost|bring|raise|increase|spend|fund|finance|buy|build|counter|deter|"
    r"defend|protect|help|keep|maintain|cover|pay|match|comply|fulfil+|achieve|hit|get|make|become|be|have|allow|"
    r"secure|moderni[sz]e|replace|equip|develop|improve|expand|respond|address|cope|face|prepare|hire|recruit|train|"
    r"reassure|show|demonstrate|signal|catch|close|stay|remain|return|go|rise|grow|climb|exceed|surpass|top)\b"
)

# -- quantities joined to the one before -------------------------------------------------------
COORDINATION = re.compile(
    rf"^[\s,;(]*(?:(?:and|or|as\s+well\s+as|while|with|i\.e\.)\s+)?(?:(?:then|also|to|from|up\s+from|down\s+from|"
    rf"rising\s+from|compared\s+(?:with|to)|against|versus|vs\.?)\s+)?(?:(?:the\s+)?(?:current|previous)\s+)?(?:{QUALIFIERS})?\s*$",
    re.I,
)
PLAIN_COORDINATION = re.compile(rf"[\s,;]*(?:and|or|as\s+well\s+as)?\s*(?:{QUALIFIERS})?\s*", re.I)
EQUIVALENT_COORDINATION = re.compile(
    rf"[\s,;(]*(?:or|i\.e\.|which\s+is|which\s+equals|that\s+is|equal\s+to|equivalent\s+to|amounting\s+to)?\s*"
    rf"(?:{QUALIFIERS})?\s*",
    re.I,
)
# "..., which will take spending to 2.1 %": the level a change stated before leads to, in its year.
CONSEQUENCE = re.compile(
    r"\s*,?\s*(?:which\s+(?:will\s+|would\s+)?(?:take|takes|bring|brings|raise|raises|lift|lifts|push|pushes)|"
    r"bringing|taking|raising|lifting|pushing)\b",
    re.I,
)
EQUIVALENCE_BEFORE = re.compile(
    r"\b(?:translat\w+\s+(?:in)?to|equivalent\s+to|equating\s+to|amounting\s+to|equal\s+to|which\s+is|"
    r"i\.e\.|or(?:\s+about|\s+around|\s+some|\s+roughly)?)\b[^.;]{0,40}$",
    re.I,
)

# -- the actor and the alliance-wide target ----------------------------------------------------
# "Poland, which borders Ukraine, spends ...", "Denmark, a founding member of NATO, ...", "(...)":
# asides whose names are not the subject of the clause around them.
ASIDE = re.compile(r",\s+(?:which|who|whose|where|a|an|one\s+of)\b[^,;()]{0,80},|\([^()]{0,80}\)")
# The actor, when it is stated next to the number ("3 % in the Baltic states").
IN_ACTOR = re.compile(r"\s*(?:in|for|among|across)\s+", re.I)
NATO_NAME = re.compile(r"\b(?:NATO|[Aa]lliance|allies|Allies|North\s+Atlantic)\b")
NATO_TARGET_BEFORE = re.compile(
    r"(?:NATO|[Aa]lliance|allies|[Aa]llied)(?:'s|’s)?\s+(?:[\w-]+\s+){0,2}?(?:target|guideline|goal|benchmark|"
    r"threshold|commitment|pledge|requirement|norm|minimum|standard|recommendation|recommended|"
    r"spending\s+(?:target|goal|guideline))\s*(?:of\s+)?(?:(?:spending|investing|allocating|devoting)\s+)?"
    r"(?:at\s+least\s+|about\s+|around\s+|some\s+)?$"
)
TARGET_NOUN_AFTER = re.compile(
    r"\s*(?:of\s+GDP\s+)?(?:NATO\s+)?(?:spending\s+)?(?:target|guideline|goal|benchmark|threshold|norm|"
    r"minimum|requirement|mark|bar|level|commitment|pledge|rule)\b",
    re.I,
)
THE_TARGET_AFTER = re.compile(
    r"\s*(?:of\s+GDP\s+)?(?:should|must|would|could|to)\s+(?:be|become)\s+(?:the\s+)?(?:new\s+)?"
    r"(?:target|guideline|goal|benchmark|norm|minimum|standard)\b",
    re.I,
)
# "the NATO target", "NATO's 2 % guideline": the alliance as owner of a goal, not as a spender.
TARGET_OWNER_AFTER = re.compile(
    r"(?:'s|’s)?\s+(?:[\w.%-]+\s+){0,3}?(?:target|guideline|goal|benchmark|threshold|norm|commitment|requirement|"
    r"minimum|standard|recommendation)\b",
    re.I,
)
NATO_OWNER_BEFORE = re.compile(r"(?:\bthe\s+)?(?:NATO|[Aa]lliance|[Aa]llied|allies)(?:'s|’s|')?\s+(?:[\w-]+\s+)?$")
MEETS_BEFORE = re.compile(r"\b(?:meet|meets|meeting|reach|reaches|reaching|hit|hits|achieve|achieves|fulfil+s?)\s+(?:the\s+)?$")
ADVOCACY = Folded(re.compile(
    r"\b(?:propos\w+|suggest\w*|call(?:s|ed|ing)?\s+(?:for|on)|urg\w+|push\w*\s+for|advocat\w+|"
    r"lobb\w+\s+for|encourag\w+|making)\b",
    re.I,
))
# "Germany's defence spending ... the 2 % goal": the goal is measured against that country's spending.
COUNTRY_SPENDING = re.compile(
    r"[A-Z][a-z]+(?:'s|’s)\s+(?:[\w-]+\s+){0,2}?(?:spending|budget|expenditures?|outlays)\b"
)

# -- target or actual --------------------------------------------------------------------------
GOAL_CUE = Folded(re.compile(
    r"\b(?:targets?|g(?:oals?|uidelines?)|a(?:ims?|im(?:s|ed|ing)\s+to|mbition\w*|greed\s+to)|"
    r"p(?:ledg\w+|romis\w+|lans?|lanned|ropos\w+)|commit\w*|intend\w*|benchmarks?|obligations?|vow\w*|"
    r"should|must)\b",
    re.I,
))
TARGET_CUE = Folded(re.compile(
    r"\b(?:"
    r"t(?:argets?|o\s+(?:raise|increase|boost|hike|up|lift|reach|ramp\s+up|bring|spend|allocate|invest))|"
    r"g(?:oals?|uidelines?|oing\s+to)|a(?:ims?|im(?:s|ed|ing)\s+to|greed\s+to|gree\s+to|mbition\w*)|"
    r"p(?:ledg\w+|romis\w+|lans?|lanned|lanning|ropos\w+)|commit\w*|i(?:ntend\w*|ntention)|"
    r"s(?:eek\w*|hould|trive\w*|et\s+to|hall)|w(?:ants?|ill|ould)|must|benchmarks?|"
    r"o(?:bligations?|n\s+track\s+to)|vow\w*|expected\s+to|'ll)\b",
    re.I,
))
CURRENT_LEVEL = Needled(re.compile(
    r"\b(?:from|current|currently|now|at\s+present|presently|compared\s+(?:with|to)|up\s+from|down\s+from)\s+"
    r"(?:(?:the|its|a|an)\s+)?(?:(?:current|present|previous)\s+)?(?:level\s+of\s+)?(?:\w+\s+)?$",
    re.I,
), folded=("from", "current", "now", "present", "compared"))
BUDGET_CUE = re.compile(
    r"\b(?:b(?:udget\w*|ill)|a(?:llocat\w*|llot\w*|ppropriat\w*)|earmark\w*|foresee\w*)\b",
    re.I,
)
ACTUAL_CUE = Folded(re.compile(
    r"\b(?:w(?:as|ere)|i(?:s|nvests|nvesting)|a(?:re|mounted|mounts)|"
    r"s(?:tood|tands|pent|pends|pending\s+is)|reached|t(?:otall?ed|his\s+year)|c(?:urrently|urrent)|now|"
    r"dedicat\w+|forecast|estimated|h(?:as\s+been|ad\s+been)|last\s+year)\b",
    re.I,
))

# -- years -------------------------------------------------------------------------------------
TAIL_YEAR = re.compile(
    rf"""[\s,]*(?:\[[^\]]{{0,20}}\]\s*|\([^)]{{0,60}}\)\s*,?\s*)?
    (?P<object>(?:on|for|to|in|into)\s+(?:national\s+|the\s+|its\s+|their\s+)?(?:defen[cs]e|military|armed\s+forces)(?:\s+(?:spending|budget|needs|expenditure))?\s*,?\s*
      |(?:annual\s+|national\s+)?(?:defen[cs]e|military)\s+(?:budget|spending|expenditure|outlays?)\s+)?
    (?:(?:goal|target|guideline|benchmark|mark|level)\s+)?
    (?:(?P<prep>by|in|for|until|till|as\s+of|from|during|over|through|between|before|as\s+early\s+as|no\s+later\s+than|
       not\s+later\s+than|starting\s+(?:in|from)|beginning\s+in)\s+)?(?:the\s+)?(?:(?:end|start|beginning)\s+of\s+)?
    (?:
      (?P<year>{YEAR})(?:\s*(?:-|–|—|/|to|and)\s*(?P<year_high>{YEAR}|\d\d)\b)?(?!\s*(?:%|per\s?cent|euro|€|\$|million|billion))
      | (?P<relative>{RELATIVE_YEAR})
      | (?:with)?in\s+(?:the\s+next\s+)?(?P<count>{NUMBER})\s+years
    )""",
    re.X | re.I,
)
LEAD_YEAR = (
    re.compile(
        rf"\b(?P<year>{YEAR})(?:\s*[-–]\s*(?P<year_high>{YEAR}|\d\d))?(?:'s|’s)?\s+(?:(?:state|draft|national|"
        r"defen[cs]e|military|annual|revised)\s+)*(?:budget|budget\s+bill|target|goal|plan)\b"
    ),
    re.compile(
        rf"\b(?:budget|target|goal|spending|expenditures?|funding|outlays?|allocations?)\s+(?:for|in)\s+"
        rf"(?P<year>{YEAR})\b(?!\s*[-–])"
    ),
    re.compile(
        rf"\b(?:budget|spending|expenditures?|funding|outlays?|allocations?)\s+(?:for\s+|in\s+)?"
        rf"(?P<relative>{RELATIVE_YEAR})\b",
        re.I,
    ),
    re.compile(rf"(?:^|[.;]\s+)\W*(?:[Ii]n|[Bb]y|[Ff]or)\s+(?P<year>{YEAR})\b(?!\s*[-–])"),
    # "the budget, which in 2023 amounts to", "which this year amounts to", "since 2014, when it
    # was": the year named before the verb.
    re.compile(
        rf"(?:\b(?:in|since|during)\s+(?P<year>{YEAR})|\bwhich\s+(?P<relative>{RELATIVE_YEAR}))"
        r"\s*,?\s+(?:when\s+)?(?:it\s+|spending\s+|the\s+budget\s+)?"
        r"(?:amount(?:s|ed)|st(?:ood|ands)|was|reached|totall?ed|came\s+to)\b",
        re.I,
    ),
    re.compile(rf"(?P<relative>{RELATIVE_YEAR})(?:'s|’s)\s+(?:[\w-]+\s+){{0,2}}?budget\b", re.I),
    re.compile(rf"^\W*(?P<relative>{RELATIVE_YEAR})\s*,", re.I),
)

# -- clauses and the topic of nearby sentences -------------------------------------------------
TAIL_STOP = re.compile(
    r"[;:()\"“”]|,\s|\s[-–—]\s|\.\s|\.$|\s(?:as|while|because|since|after|when|despite|although|though|but|"
    r"whereas|amid|and|which|that|who)\s",
    re.I,
)
CLAUSE_BREAK = Needled(re.compile(r"[;:]|\s[-–—]\s|,\s+(?:but|while|whereas|although|though)\b|\bwhile\b"),
                       needles=(";", ":", "-", "–", "—", "but", "while", "whereas", "though"))
LEVEL_VERB_BEFORE = re.compile(
    rf"\b(?:reach(?:es|ed|ing)?|hit|be|is|was|amount(?:s|ed)?\s+to|stand(?:s)?\s+at|stood\s+at|(?:rise|rose|increase[sd]?|"
    rf"raise[sd]?|grow|grew|climb(?:ed)?|go|went|up|boost(?:ed)?|bring)(?:\s+(?:it|this|that|spending))?\s+to|"
    rf"exceed(?:s|ed)?|surpass(?:es|ed)?|above|at|compar\w*\s+(?:with|to)|up\s+from|down\s+from|from)\s+"
    rf"(?:(?:the|a|an)\s+)?(?:(?:current|previous)\s+)?(?:{QUALIFIERS})?\s*$",
    re.I,
)
LEVEL_BEFORE_SUM = re.compile(
    rf"\b(?:to|at|of|reach\w*|total\w*|amount\w*\s+to|exceed\w*|surpass\w*)\s+(?:{QUALIFIERS})?\s*$", re.I
)
SPEND_VERB = re.compile(r"\b(?:spend\w*|spent|allocat\w*|invest\w*|devot\w*|dedicat\w*|earmark\w*|budget\w*)\b", re.I)
_DEFENCE_GDP = re.compile(
    r"\b(?:defen[cs]e|military)\b.{0,80}\b(?:GDP|gross\s+domestic\s+product)\b|"
    r"\b(?:GDP|gross\s+domestic\s+product)\b.{0,40}\b(?:on|to|for)\s+(?:the\s+)?(?:defen[cs]e|military|armed\s+forces)\b",
    re.I,
)
TABLE_ROW = re.compile(r"\W{0,3}(?:\d{1,2}[.)]\s*)?[A-Z][\w .'’-]{1,40}?\s*[:–—-]\s*(?:\(?\s*)?")

_LEAD_WINDOW = 90
_TAIL_WINDOW = 45
_BARE_PERCENT_MAX = 15.0
_GDP_PERCENT_MAX = 50.0
_MIN_MONEY = 1_000_000
_MAX_QUANTITIES = 40  # per sentence
_CLAUSE_REACH = 300  # characters before a figure that can still be its clause
_HEDGE_REACH = 60  # characters before a figure read for a hedge of it (HEDGED_BEFORE)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A percentage or a sum found in a sentence, with the words attached to it."""

    start: int
    end: int  # end of the number and its unit ("2.5 percent", "EUR 600m")
    extent: int  # end of the attached phrase ("... of GDP by 2030")
    unit: str | None  # pct_gdp, eur, usd, or None for a currency the table cannot hold
    value: float
    value_high: float | None
    is_percent: bool
    of_gdp: bool
    share_of_other: bool
    generic_object: bool  # "... on defence" is part of the attached phrase
    qualifier: str | None
    year: YearRef | None


@dataclass(frozen=True, slots=True)
class _Found:
    claim: Claim
    actor_stated: bool


def extract_spending(text: str, *, published: date | None = None) -> Iterator[Claim]:
    """Defence-spending claims in a text, in text order.

    >>> claims = list(extract_spending("Latvia will raise defence spending to 3 percent of GDP by 2027."))
    >>> [(c.actor, c.kind, c.value, c.unit, c.year) for c in claims]
    [('Latvia', 'target', 3.0, 'pct_gdp', 2027)]
    """
    document = Document(text, published=published)
    if not document.contains(TRIGGER):
        return iter(())
    return spending_claims(document)


def spending_claims(document: Document) -> Iterator[Claim]:
    """The spending claims of a prepared document (shared with the other extractors)."""
    if not document.contains(DEFENCE_ANYWHERE):
        return  # every rule below needs a defence word somewhere in the text
    found: list[_Found] = []
    for sentence in document.sentences_with(TRIGGER):
        found.extend(_sentence_claims(document, sentence))
    yield from _without_restatements(found)


# -- finding quantities ----------------------------------------------------------------------------

def _quantities(document: Document, sentence: Sentence) -> list[Quantity]:
    text = document.text
    found: list[Quantity] = []
    if PERCENT_SIGN.search(text, sentence.start, sentence.end):
        for match in PERCENT.finditer(text, sentence.start, sentence.end, lowered=document.lowered):
            found.extend(_percent_quantities(document, sentence, match))
    if CURRENCY_SIGN.search(text, sentence.start, sentence.end):
        for match in MONEY.finditer(text, sentence.start, sentence.end):
            quantity = _money_quantity(document, sentence, match)
            if quantity is not None:
                found.append(quantity)
    found.sort(key=lambda q: q.start)
    return _bounded_ranges(text, sentence, found)


# "at least 2.02 percent GDP but no more than 2.05 percent GDP": one level given as a range
_LOWER_BOUND_BEFORE = re.compile(r"\b(?:at\s+least|not\s+less\s+than|no\s+less\s+than|a\s+minimum\s+of)\s*[\"“]?$", re.I)
_UPPER_BOUND_BETWEEN = re.compile(r"[\s,]*(?:but|and)\s+(?:no|not)\s+more\s+than\s*", re.I)


def _bounded_ranges(text: str, sentence: Sentence, found: list[Quantity]) -> list[Quantity]:
    merged: list[Quantity] = []
    for quantity in found:
        low = merged[-1] if merged else None
        if (low is not None and low.unit == quantity.unit and low.value_high is None and quantity.value_high is None
                and quantity.value > low.value and _UPPER_BOUND_BETWEEN.fullmatch(text, low.extent, quantity.start)
                and _LOWER_BOUND_BEFORE.search(text, max(sentence.start, low.start - 20), low.start)):
            merged[-1] = replace(low, end=quantity.end, extent=quantity.extent, value_high=quantity.value,
                                 year=low.year or quantity.year)
            continue
        merged.append(quantity)
    return merged


def _percent_quantities(document: Document, sentence: Sentence, match: re.Match[str]) -> list[Quantity]:
    value = parse_number(match.group("value"))
    if value is None:
        return []
    low = parse_number(match.group("low")) if match.group("low") else None
    joiner = (match.group("joiner") or "").strip().lower()
    text = document.text
    before_low = text[max(sentence.start, match.start() - 12) : match.start()]
    separate_low = low is not None and (
        (joiner == "and" and not match.group("between"))
        or (joiner == "to" and re.search(r"\b(?:from|by)\s*$", before_low, re.I))
        or low >= value
    )
    quantities: list[Quantity] = []
    if low is not None and separate_low:
        low_end = match.start("low") + len(match.group("low"))
        if joiner == "to" and re.search(r"\bfrom\s*$", before_low, re.I):
            quantities.append(_quantity(document, sentence, match.start("low"), low_end, low, None, None))
        low = None
    start = match.start("value") if low is None else match.start()
    quantities.append(_quantity(document, sentence, start, match.end(), value, low, None))
    return quantities


_DECIMAL_COMMA = re.compile(r"\d{1,3},\d{3}")


def _money_quantity(document: Document, sentence: Sentence, match: re.Match[str]) -> Quantity | None:
    pre, post = match.group("pre"), match.group("post")
    currency = (pre or post or "").lower()
    unit = CURRENCY_UNITS.get(currency, CURRENCY_UNITS.get(currency.rstrip("s")))
    low_text = match.group("low1") or match.group("low2")
    scale = scale_factor(match.group("scale1") or match.group("scale2") or match.group("word_scale"))
    word = (match.group("word2") or "").lower()
    if word:
        amount = Decimal("0.5") if word.startswith("half") else Decimal(1) if word in ("a", "an") else parse_number(word)
    else:
        digits = match.group("num1") or match.group("num2")
        amount = parse_number(digits)
        if amount is not None and scale >= 10**9 and amount * scale >= 10**12 and _DECIMAL_COMMA.fullmatch(digits):
            amount = parse_number(digits.replace(",", "."))  # "EUR 1,559 billion": 1.559 billion, not 1.559 trillion
    if amount is None:
        return None
    low = parse_number(low_text) * scale if low_text else None
    return _quantity(document, sentence, match.start(), match.end(), amount * scale, low, unit or "other")


def _quantity(
    document: Document, sentence: Sentence, start: int, end: int, value: Decimal, low: Decimal | None, money_unit: str | None
) -> Quantity:
    text = document.text
    is_percent = money_unit is None
    extent = end
    of_gdp = share_of_other = False
    if is_percent:
        gdp = GDP_PHRASE.match(text, end, sentence.end)
        if gdp is not None:
            of_gdp, extent = True, gdp.end()
        else:
            share_of_other = bool(SHARE_OF_OTHER.match(text, end, sentence.end))
    qualifier_match = QUALIFIER.search(text, max(sentence.start, start - 25), start)
    year = _tail_year(document, sentence, extent)
    generic_object = False
    if year is not None:
        extent, generic_object = year[1], year[2]
    unit = "pct_gdp" if is_percent else (None if money_unit == "other" else money_unit)
    high, low_value = (value, low) if low is not None else (None, value)
    return Quantity(
        start=start,
        end=end,
        extent=extent,
        unit=unit,
        value=as_float(low_value),
        value_high=as_float(high) if high is not None else None,
        is_percent=is_percent,
        of_gdp=of_gdp,
        share_of_other=share_of_other,
        generic_object=generic_object,
        qualifier=qualifier_match.group("qualifier").lower() if qualifier_match else None,
        year=year[0] if year is not None else None,
    )


def _tail_year(document: Document, sentence: Sentence, position: int) -> tuple[YearRef, int, bool] | None:
    match = TAIL_YEAR.match(document.text, position, min(sentence.end, position + 80))
    if match is None:
        return None
    ref = _year_ref(match, document.published)
    return (ref, match.end(), bool(match.group("object"))) if ref is not None else None


def _year_ref(match: re.Match[str], published: date | None) -> YearRef | None:
    groups = match.groupdict()
    prep = (groups.get("prep") or "").lower() or None
    if groups.get("year"):
        year = int(groups["year"])
        high = short_year(year, groups["year_high"]) if groups.get("year_high") else None
        return YearRef(year, high, text=match.group(0).strip(" ,"), preposition=prep)
    if groups.get("relative"):
        ref = relative_year(groups["relative"], published=published)
        return replace(ref, preposition=prep)
    if groups.get("count"):
        return in_years(parse_number(groups["count"]), match.group(0), published=published)
    return None


# -- judging one quantity ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Context:
    """A quantity and the words around it, as the rules below read them."""

    document: Document
    sentence: Sentence
    quantity: Quantity
    previous: Quantity | None
    previous_found: _Found | None
    lead: str  # from the previous quantity (or the sentence start) to this one
    clause: str  # the lead, cut at the last clause break
    sentence_clause: str  # this quantity's clause counted from the sentence start
    tail: str  # after the attached phrase, to the end of its clause
    coordinated: bool  # joined to the accepted quantity before it ("... and 3 % next year")
    purpose: str | None  # "generic" (on defence), "other" (one purpose) or None (not said)


def _converted_sum(context: _Context) -> bool:
    """ "640 million euros ($700 million)": the sum in brackets is the same money converted.

    A sum in a currency the claims table cannot hold ("200 billion zlotys ($55 billion)", "PLN
    118 bn., or ca. USD 29 bn") is no claim itself: its conversion is then judged in its place
    (``judge_sentence``), as the labelling guide's annotators read it.
    """
    return context.previous is not None and _converts(context.document, context.previous, context.quantity)


def _converts(document: Document, previous: Quantity, quantity: Quantity) -> bool:
    """Is the sum ``quantity`` the sum ``previous`` just before it, converted to another currency?"""
    if previous.is_percent or quantity.is_percent or previous.unit == quantity.unit:
        return False  # "EUR 1.2 billion, EUR 2 billion": two sums, not one converted
    return bool(_CONVERSION_BETWEEN.fullmatch(document.text, previous.end, quantity.start))


_CLOSING_BRACKET = re.compile(r"\s*[)\]]")
_CONVERSION_BETWEEN = re.compile(
    r"\.?\s*(?:[(\[]|,?\s+or|,)\s*(?:about|around|some|approximately|roughly|or|ca\.|c\.|nearly|almost)?\s*", re.I)


def change_before(document: Document, sentence: Sentence, quantity: Quantity) -> bool:
    """ "by 0.3 %", "an additional EUR 20m": a change word just before the figure (asked once per figure)."""
    return document.memo(
        ("change_before", quantity.start),
        lambda: CHANGE_BEFORE.search(document.text, max(sentence.start, quantity.start - 40), quantity.start) is not None,
    )


def _is_change(context: _Context) -> bool:
    text, quantity = context.document.text, context.quantity
    if change_before(context.document, context.sentence, quantity):
        return True
    return bool(CHANGE_AFTER.match(text, quantity.end)) or bool(CHANGE_AFTER.match(context.tail))


def _other_domain(context: _Context) -> bool:
    """Is the nearest domain word a deficit, growth, vote, aid ... rather than defence or spending?"""
    clause, tail = _near(context.clause, _LEAD_WINDOW), context.tail
    best_other = _nearest(OTHER_DOMAIN, clause, tail)
    if best_other is None:
        return False
    best_defence = min(
        (d for d in (_nearest(DEFENCE, clause, tail), _nearest(SPENDING, clause, tail)) if d is not None),
        default=None,
    )
    return best_defence is None or best_other <= best_defence


OTHER_DOMAIN_REJECTION = "another domain: deficit, debt, growth, votes ..."
CONVERTED_REJECTION = "the same sum converted"
HEDGED_REJECTION = "a hedged figure (could, may, might ...)"
# Rejections the guide settles (LABELING.md): the learned layer never weighs such a figure again.
FINAL_REJECTIONS = frozenset({CONVERTED_REJECTION, HEDGED_REJECTION})


def _continues_other_domain(context: _Context, previous: "Verdict") -> bool:
    """ "The deficit will be 4.2 % this year and will fall to 3.5 % in 2027": a figure that goes on
    from one of another domain, with no defence or spending word between, is of that domain too."""
    if OTHER_DOMAIN_REJECTION not in previous.rejections or previous.quantity.is_percent != context.quantity.is_percent:
        return False
    between = context.document.text[previous.quantity.extent : context.quantity.start]
    return not DEFENCE.search(between) and not SPENDING.search(between) and not OTHER_DOMAIN.search(between)


# Each row: why a quantity is not a defence-spending level, and the test that says so.
REJECTIONS: tuple[tuple[str, Callable[[_Context], bool]], ...] = (
    ("a currency the claims table cannot hold", lambda c: c.quantity.unit is None),
    ("a share of something other than GDP", lambda c: c.quantity.share_of_other),
    ("a change, not a level", _is_change),
    ("a rate per month, per person or per unit", lambda c: bool(RATE_AFTER.match(c.document.text, c.quantity.end))),
    ("a count of countries meeting a level", lambda c: bool(COUNTED_COUNTRIES.search(c.clause))),
    ("a hypothetical", lambda c: bool(HYPOTHETICAL.search(c.sentence_clause))),
    (HEDGED_REJECTION, lambda c: bool(HEDGED_BEFORE.search(_near(c.clause, _HEDGE_REACH)))),
    ("a component of a level", lambda c: c.quantity.is_percent and bool(COMPONENT_BEFORE.search(_near(c.lead, 30)))),
    (CONVERTED_REJECTION, _converted_sum),
    (OTHER_DOMAIN_REJECTION, _other_domain),
    ("money for one purpose, or aid", lambda c: c.purpose == "other" or bool(AID.search(c.tail))),
)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the rules say about one quantity of a sentence: the rejections that fired and the claim made.

    ``rejections`` holds the first rejection only unless every rejection was asked for; ``claim``
    is None when the quantity was rejected or is not a spending level.
    """

    quantity: Quantity
    context: _Context
    rejections: tuple[str, ...]
    level: bool
    found: _Found | None

    @property
    def claim(self) -> Claim | None:
        return self.found.claim if self.found is not None else None


def sentence_quantities(document: Document, sentence: Sentence) -> list[Quantity]:
    """The percentages and sums of a sentence, parsed (value, range, unit, share of GDP, year after)."""
    # A "sentence" with dozens of figures is a table flattened into one line, not prose: read the
    # first ones only, so that a pathological line cannot make the extractor quadratic. Parsed once
    # per sentence: the rules and the learned layer's features both read them.
    return document.memo(("spending_quantities", sentence.index),
                         lambda: _quantities(document, sentence)[:_MAX_QUANTITIES])


def judge_sentence(document: Document, sentence: Sentence, *, every_rejection: bool = False,
                   speakers: bool = True) -> list[Verdict]:
    """The rules' verdict on every quantity of a sentence (the learned layer reads them as features).

    Without ``speakers`` the claims name no speaker (and no actor from one): cheaper, for features.
    """
    quantities = sentence_quantities(document, sentence)
    verdicts: list[Verdict] = []
    accepted: dict[int, _Found] = {}
    for index, quantity in enumerate(quantities):
        before = index - 1
        if index and quantities[before].unit is None and _converts(document, quantities[before], quantity):
            # "200 billion zlotys ($55 billion)": the converted sum is the one the claims table can
            # hold, so it is judged where the first sum stands, as that sum
            first = quantities[before]
            close = _CLOSING_BRACKET.match(document.text, quantity.extent, sentence.end)
            quantity = replace(quantity, start=first.start,
                               extent=max(first.extent, close.end() if close else quantity.extent),
                               year=quantity.year or first.year, generic_object=first.generic_object,
                               qualifier=quantity.qualifier or first.qualifier)
            before -= 1
        previous = quantities[before] if before >= 0 else None
        following = quantities[index + 1] if index + 1 < len(quantities) else None
        context = _context(document, sentence, quantity, previous, following, accepted.get(before))
        if every_rejection:
            rejections = tuple(name for name, rejects in REJECTIONS if rejects(context))
        else:
            rejections = next(((name,) for name, rejects in REJECTIONS if rejects(context)), ())
        if (every_rejection or not rejections) and OTHER_DOMAIN_REJECTION not in rejections \
                and verdicts and _continues_other_domain(context, verdicts[-1]):
            rejections = (*rejections, OTHER_DOMAIN_REJECTION)
        level = not rejections and _is_spending_level(context)
        if level:
            accepted[index] = _found(context, speakers=speakers)
        verdicts.append(Verdict(quantity, context, rejections, level, None))
    # "allocating EUR 1.56 billion, or 3.45 % of GDP, for defence": a figure that states an accepted
    # level in the other unit, and that no rule rejected, is that level too
    def equivalent(index: int) -> bool:  # figures index - 1 and index state one level ("…, or …")
        return EQUIVALENT_COORDINATION.fullmatch(
            document.text, verdicts[index - 1].quantity.extent, verdicts[index].quantity.start) is not None

    for index in sorted(accepted):
        for other, right in ((index - 1, index), (index + 1, index + 1)):
            if not 0 <= other < len(verdicts) or other in accepted or verdicts[other].rejections:
                continue
            if verdicts[other].quantity.is_percent != verdicts[index].quantity.is_percent and equivalent(right):
                accepted[other] = _found(verdicts[other].context, speakers=speakers)
    # "3.03 % of GDP, or EUR 2.5 billion, in 2025" is one level in two units: one year, one kind.
    for index in sorted(accepted):
        first, second = accepted.get(index - 1), accepted[index]
        if first is None or not equivalent(index):
            continue
        if first.claim.year is None and second.claim.year is not None:
            claim = replace(
                first.claim, year=second.claim.year, year_high=second.claim.year_high,
                year_relative=second.claim.year_relative,
                details={**first.claim.details, "year_text": second.claim.details.get("year_text")},
            )
            first = accepted[index - 1] = _Found(claim, first.actor_stated)
        if second.claim.kind != first.claim.kind:
            accepted[index] = _Found(replace(second.claim, kind=first.claim.kind), second.actor_stated)
    return [Verdict(v.quantity, v.context, v.rejections, v.level, accepted.get(index)) for index, v in enumerate(verdicts)]


def _sentence_claims(document: Document, sentence: Sentence) -> list[_Found]:
    return [v.found for v in judge_sentence(document, sentence) if v.found is not None]


def _context(
    document: Document,
    sentence: Sentence,
    quantity: Quantity,
    previous: Quantity | None,
    following: Quantity | None,
    previous_found: _Found | None,
) -> _Context:
    text = document.text
    lead = text[max(sentence.start, previous.extent if previous else sentence.start) : quantity.start]
    tail_end = min(following.start if following else sentence.end, quantity.extent + _TAIL_WINDOW)
    tail = _cut_tail(text[quantity.extent : tail_end])
    if quantity.generic_object or HEAD_AFTER.match(text, quantity.end):
        purpose = "generic"
    else:
        purpose = _purpose(tail)
    return _Context(
        document=document,
        sentence=sentence,
        quantity=quantity,
        previous=previous,
        previous_found=previous_found,
        lead=lead,
        clause=_clause_lead(lead),
        sentence_clause=_clause_lead(text[max(sentence.start, quantity.start - _CLAUSE_REACH) : quantity.start]),
        tail=tail,
        coordinated=previous_found is not None and bool(COORDINATION.match(lead)),
        purpose=purpose,
    )


def _is_spending_level(context: _Context) -> bool:
    """Is the quantity a level of defence spending (given it is not rejected)?"""
    if context.quantity.is_percent:
        return context.coordinated or _percent_is_spending(context)
    return _money_is_spending(context)


def _money_is_spending(context: _Context) -> bool:
    """A sum counts when a defence budget governs it, it goes "on defence", or it restates a level."""
    text, quantity = context.document.text, context.quantity
    linked = context.coordinated or _equivalent_to(context.previous_found, context.lead)
    if (
        quantity.value < _MIN_MONEY
        or PROCUREMENT_BEFORE.search(_near(context.clause, 60))
        or PROCUREMENT_AFTER.match(text, quantity.end, context.sentence.end)
    ) and not linked:
        return False
    return linked or context.purpose == "generic" or _governed_by_spending_head(context.sentence_clause)


def _gapped(context: _Context) -> bool:
    """ ", Greece 3.1 % and Estonia 3.4 %": a list that leaves out the verb and the year of its first item."""
    mentions = context.document.mentions_in(context.quantity.start - len(context.lead), context.quantity.start)
    if len(mentions) != 1 or mentions[0].name is None:
        return False
    text = context.document.text
    before = text[context.quantity.start - len(context.lead) : mentions[0].start]
    after = text[mentions[0].end : context.quantity.start]
    return bool(re.fullmatch(r"[\s,;]*(?:and\s+)?(?:the\s+)?", before)) and bool(re.fullmatch(r"\s*(?:with\s+)?", after))


def _found(context: _Context, *, speakers: bool = True) -> _Found:
    """The claim for an accepted quantity: year, actor, kind and speaker."""
    document, sentence, quantity = context.document, context.sentence, context.quantity
    text, lead, clause, previous_found = document.text, context.lead, context.clause, context.previous_found
    equivalent = context.previous is not None and bool(EQUIVALENT_COORDINATION.fullmatch(lead))

    year = quantity.year or _year_after_object(document, context.tail) or _lead_year(document, clause)
    if year is None and equivalent and context.previous.year is not None:
        year = context.previous.year  # "13.5 trillion roubles in 2025, or about 6.3 % of GDP"
    if year is None and equivalent:
        year = _lead_year(document, context.sentence_clause)  # "budget for 2023 is 97 billion zlotys, or 3 %"
    if year is None and context.previous is not None and context.previous.year is not None and CONSEQUENCE.match(lead):
        year = context.previous.year  # "by SEK 27.5 billion in 2024, which will take Sweden to 2.1 %"
    if year is None and previous_found is not None and previous_found.claim.year is not None and _gapped(context):
        previous_claim = previous_found.claim  # "Lithuania spent 2.5 % in 2023, Latvia 2.3 % and ..."
        year = YearRef(previous_claim.year, previous_claim.year_high, previous_claim.year_relative,
                       previous_claim.details.get("year_text") or "")
    if year is None and equivalent and context.coordinated and previous_found.claim.year is not None:
        previous_claim = previous_found.claim
        year = YearRef(previous_claim.year, previous_claim.year_high, previous_claim.year_relative,
                       previous_claim.details.get("year_text") or "")

    speaker = document.speaker(sentence, quantity.start) if speakers else None
    nato_target = _is_nato_target(document, sentence, clause, context.tail, year)
    if context.coordinated:
        actor, stated = previous_found.claim.actor, previous_found.actor_stated
    else:
        actor, stated = _actor(document, sentence, quantity, clause, speaker, nato_target)

    kind = "target" if nato_target else _kind(context.sentence_clause if equivalent else clause, context.tail, year)
    if context.coordinated and PLAIN_COORDINATION.fullmatch(lead):
        kind = previous_found.claim.kind or kind
    elif context.coordinated and re.search(r"\b(?:from|compared|against|versus|vs)\b", lead, re.I):
        kind = "actual"

    claim = Claim(
        type="spending",
        evidence=sentence.text,
        start=sentence.start,
        end=sentence.end,
        actor=actor,
        kind=kind,
        value=quantity.value,
        value_high=quantity.value_high,
        unit=quantity.unit,
        year=year.year if year else None,
        year_high=year.year_high if year else None,
        year_relative=bool(year and year.relative),
        speaker=speaker.speaker if speaker else None,
        details={
            "quantity": text[quantity.start : quantity.end],
            "quantity_start": quantity.start,
            "quantity_end": quantity.end,
            "qualifier": quantity.qualifier,
            "year_text": year.text if year else None,
            "actor_stated": stated,
        },
    )
    return _Found(claim, stated)


def _cut_tail(tail: str) -> str:
    """The tail up to the end of its clause."""
    stop = TAIL_STOP.search(tail)
    return tail[: stop.start()] if stop else tail


def _clause_lead(lead: str) -> str:
    """The part of the lead in the same clause as the quantity."""
    breaks = list(CLAUSE_BREAK.finditer(lead))
    return lead[breaks[-1].end() :] if breaks else lead


def _near(lead: str, width: int) -> str:
    return lead[-width:]


def _nearest(pattern: re.Pattern[str], clause: str, tail: str) -> int | None:
    distances = [len(clause) - m.end() for m in pattern.finditer(clause)]
    distances += [m.start() for m in pattern.finditer(tail)]
    return min(distances) if distances else None


def _purpose(tail: str) -> str | None:
    """What the money or share is for: "generic" defence, "other" (one purpose), or None."""
    skipped = TAIL_YEAR.match(tail)
    rest = tail[skipped.end() :] if skipped else tail
    passive = PASSIVE_SPENDING.match(rest)  # "EUR 1.1 billion will be allocated to defence"
    if passive is not None:
        rest = rest[passive.end() :]
    match = PURPOSE_PREPOSITION.match(rest)
    if match is None:
        return None
    prep, obj = match.group("prep").lower(), match.group("object")
    if not obj.strip():
        return None
    if prep == "in":  # "in defence spending" is generic; "in Latvia", "in 2025" say nothing of purpose
        return "generic" if HEAD_AFTER.match(" " + obj) else None
    if GENERIC_OBJECT.match(obj):
        generic = GENERIC_OBJECT.match(obj)
        following = obj[generic.end() :]
        if not re.match(r"\s+(?:aid|assistance|support|equipment|infrastructure|procurement|purchases?)\b", following, re.I):
            return "generic"
        return "other"
    if NEUTRAL_OBJECT.match(obj):
        return None
    if prep in ("to", "towards", "into") and INFINITIVE.match(obj) and not re.match(r"(?:Ukraine|Ukrainian)", obj):
        return None
    if re.match(r"(?:the\s+)?(?:[A-Z]\w+\s+)?(?:and\s+)?(?:NATO|EU|[Aa]lliance|allies)\b", obj):
        return None
    return "other"


def _percent_is_spending(context: _Context) -> bool:
    """A share counts when it is of GDP in a defence context, or a bare share next to spending words."""
    document, sentence, quantity = context.document, context.sentence, context.quantity
    clause, purpose = context.sentence_clause, context.purpose
    if not quantity.of_gdp and quantity.value <= _BARE_PERCENT_MAX and _table_row(document, sentence, quantity):
        return True
    defence_nearby = _defence_context(document, sentence)
    after = document.text[quantity.end : min(sentence.end, quantity.end + 60)]
    if quantity.of_gdp:
        if quantity.value > _GDP_PERCENT_MAX:
            return False
        spent_here = bool(SPEND_VERB.search(_near(clause, 40)))
        return defence_nearby or purpose == "generic" or (spent_here and _defence_spending_topic(document))
    if quantity.value > _BARE_PERCENT_MAX or quantity.value_high and quantity.value_high > _BARE_PERCENT_MAX:
        return False
    spending_nearby = (
        purpose == "generic"
        or bool(TARGET_NOUN_AFTER.match(after))
        or bool(THE_TARGET_AFTER.match(after))
        or bool(SPENDING.search(_near(clause, 120)))
        or _stated_actor_after(document, sentence, quantity) is not None
        or _in_brackets_after_actor(document, sentence, quantity)
        or _spending_topic_carries_over(document, sentence, clause)
    )
    return spending_nearby and defence_nearby


def _stated_actor_after(document: Document, sentence: Sentence, quantity: Quantity) -> str | None:
    """ "2.5-3 % in the Nordic countries and Poland": the actor named right after the figure."""
    after = IN_ACTOR.match(document.text, quantity.extent, sentence.end)
    if after is None:
        return None
    names = _coordinated_names(document, after.end(), sentence.end)
    return join_names(names) if names else None


def _table_row(document: Document, sentence: Sentence, quantity: Quantity) -> bool:
    """ "Lithuania – 2.85 %" on its own line, under a sentence about defence spending."""
    lead = document.text[sentence.start : quantity.start]
    if not TABLE_ROW.fullmatch(lead):
        return False
    steps = 1
    while (before := document.sentence_before(sentence, steps)) is not None and steps <= 60:
        if SPENDING_HEAD.search(before.text) or _DEFENCE_GDP.search(before.text):
            return True
        if not TABLE_ROW.match(before.text) or not PERCENT_SIGN.search(before.text):
            return steps == 1 and False or _header_within(document, before, 2)
        steps += 1
    return False


def _header_within(document: Document, sentence: Sentence, reach: int) -> bool:
    for steps in range(0, reach + 1):
        before = document.sentence_before(sentence, steps) if steps else sentence
        if before is not None and (SPENDING_HEAD.search(before.text) or _DEFENCE_GDP.search(before.text)):
            return True
    return False


def _in_brackets_after_actor(document: Document, sentence: Sentence, quantity: Quantity) -> bool:
    """ "Estonia (3.4 %), Latvia (3.1 %) ... spend": a ranking of spenders in one spending sentence."""
    lead = document.text[max(sentence.start, quantity.start - 40) : quantity.start]
    bracket = re.search(r"(\S+)\s*\(\s*$", lead)
    if bracket is None or not sentence_has(document, sentence, SPENDING):
        return False
    mentions = document.mentions_in(quantity.start - len(lead), quantity.start)
    return bool(mentions) and mentions[-1].name is not None and mentions[-1].kind in ("country", "group", "org")


def _spending_topic_carries_over(document: Document, sentence: Sentence, clause: str) -> bool:
    """ "We will reach 3.5 % by 2027," after a sentence about the defence budget."""
    if not LEVEL_VERB_BEFORE.search(_near(clause, 50)):
        return False
    for steps in (1, 2):
        before = document.sentence_before(sentence, steps)
        if before is not None and (SPENDING_HEAD.search(before.text) or _DEFENCE_GDP.search(before.text)):
            return True
    return False


def _defence_spending_topic(document: Document) -> bool:
    """Does the text talk about defence spending somewhere ("defence budget", "... of GDP on defence")?"""
    return document.memo(
        "defence_spending_topic",
        lambda: any(SPENDING_HEAD.search(s.text) or _DEFENCE_GDP.search(s.text) for s in document.sentences),
    )


def sentence_has(document: Document, sentence: Sentence, pattern: re.Pattern[str]) -> bool:
    """Does the sentence hold the pattern (asked once per sentence, however many figures it has)?"""
    return document.memo((pattern.pattern, sentence.index), lambda: pattern.search(sentence.text) is not None)


def _defence_context(document: Document, sentence: Sentence) -> bool:
    """Defence is named in the sentence or in one of the two before it."""
    if sentence_has(document, sentence, DEFENCE):
        return True
    for steps in (1, 2):
        before = document.sentence_before(sentence, steps)
        if before is not None and DEFENCE.search(before.text):
            return True
    return False


def _governed_by_spending_head(clause: str) -> bool:
    heads = list(SPENDING_HEAD.finditer(clause))
    if not heads:
        return False
    between = clause[heads[-1].end() :]
    if CURRENCY_SIGN.search(between):
        return False  # the head governs the sum stated before this one
    if PERCENT_SIGN.search(between) and not LEVEL_BEFORE_SUM.search(between):
        return False  # "... at 2 % of GDP with a EUR 100 billion fund": the head governs the share
    return not re.search(r"\b(?:of\s+which|including|includ\w+|for\s+the|on\s+the|to\s+buy|purchas\w*|procur\w*)\b", between, re.I)


def _equivalent_to(previous_found: _Found | None, lead: str) -> bool:
    return previous_found is not None and bool(EQUIVALENCE_BEFORE.search(lead))


def _year_after_object(document: Document, tail: str) -> YearRef | None:
    """ "1.6 billion euros will be allocated to defence in 2025": the year after the spending object."""
    passive = PASSIVE_SPENDING.match(tail)
    rest = tail[passive.end() :] if passive else tail
    preposition = PURPOSE_PREPOSITION.match(rest)
    if preposition is None or not (generic := GENERIC_OBJECT.match(preposition.group("object"))):
        return None
    year = TAIL_YEAR.match(preposition.group("object")[generic.end() :])
    return _year_ref(year, document.published) if year else None


def _lead_year(document: Document, clause: str) -> YearRef | None:
    best: tuple[int, YearRef] | None = None
    for pattern in LEAD_YEAR:
        for match in pattern.finditer(clause):
            ref = _year_ref(match, document.published)
            if ref is not None and (best is None or match.end() > best[0]):
                best = (match.end(), ref)
    return best[1] if best else None


def _kind(clause: str, tail: str, year: YearRef | None) -> str:
    local = _near(clause, 80) + " " + tail
    if year is not None and year.preposition in ("by", "until", "till", "before"):
        return "target"
    if GOAL_CUE.search(local) or TARGET_NOUN_AFTER.match(tail):
        return "target"
    if CURRENT_LEVEL.search(_near(clause, 30)):
        return "actual"
    if BUDGET_CUE.search(local) and year is not None and year.year is not None:
        return "actual"
    if ACTUAL_CUE.search(_near(clause, 40)) and not re.search(r"\b(?:will|would|shall|'ll)\b", _near(clause, 40)):
        return "actual"
    if TARGET_CUE.search(local):
        return "target"
    return "actual"


def _is_nato_target(document: Document, sentence: Sentence, clause: str, tail: str, year: YearRef | None) -> bool:
    """The alliance-wide guideline: "NATO's 2 % target", "3 % should become the new target".

    "Norway will meet the NATO target of 2 % in 2026" dates Norway's own level: not the guideline.
    """
    near = _near(clause, 60)
    if found := NATO_TARGET_BEFORE.search(near):
        return not (MEETS_BEFORE.search(near[: found.start()]) and year is not None)
    if THE_TARGET_AFTER.match(tail) and ADVOCACY.search(clause):
        return True
    if not TARGET_NOUN_AFTER.match(tail):
        return False
    if found := NATO_OWNER_BEFORE.search(near):  # "meet NATO's 2 % target"
        return not (MEETS_BEFORE.search(near[: found.start()]) and year is not None)
    if _nato_named_nearby(document, sentence) and not sentence_has(document, sentence, COUNTRY_SPENDING):
        owner = re.search(r"(?:'s|’s)\s+(?:\w+\s+){0,2}$", _near(clause, 40))
        return owner is None and not re.search(r"\b(?:its|their|our)\s+(?:own\s+)?$", _near(clause, 20))
    return False


def _nato_named_nearby(document: Document, sentence: Sentence) -> bool:
    for steps in (0, 1, 2):
        nearby = document.sentence_before(sentence, steps) if steps else sentence
        if nearby is not None and NATO_NAME.search(nearby.text):
            return True
    return False


# -- actor ---------------------------------------------------------------------------------------------

def _actor(
    document: Document,
    sentence: Sentence,
    quantity: Quantity,
    clause: str,
    speaker: Attribution | None,
    nato_target: bool,
) -> tuple[str | None, bool]:
    """The actor and whether the text states it (True) or it was inferred from the discourse."""
    stated_after = _stated_actor_after(document, sentence, quantity)
    if stated_after is not None:
        return stated_after, True
    if nato_target:
        return "NATO", True
    clause_start = quantity.start - len(clause)
    asides = [m.span() for m in ASIDE.finditer(document.text, sentence.start, quantity.start)]
    for start in (clause_start, sentence.start):
        mentions = document.mentions_in(start, quantity.start)
        candidates = [
            index for index, m in enumerate(mentions)
            if _can_be_actor(m) and not any(a <= m.start < b for a, b in asides)
            and not (m.kind == "org" and TARGET_OWNER_AFTER.match(document.text, m.end))
        ]
        if candidates:
            mention = mentions[candidates[-1]]
            if mention.name is not None:
                return join_names(coordinated_before(document.text, mentions, candidates[-1])), True
            return document.resolve(mention, sentence, speaker=speaker), False
    if speaker is not None and speaker.person is not None and speaker.person.nationality:
        return speaker.person.nationality, False
    return document.focus_country(quantity.start), False


def _can_be_actor(mention: ActorMention) -> bool:
    if not mention.is_subject_like:
        return False
    if mention.kind == "capital" and mention.governor in ("in", "at"):
        return False
    if mention.kind == "org" and mention.governor in ("in", "among", "within", "of", "across"):
        return False  # "the highest share in NATO": the set compared against, not the spender
    return True


def _coordinated_names(document: Document, start: int, end: int) -> list[str]:
    """Names in a list that begins at ``start``: "Estonia, Latvia and Lithuania"."""
    names: list[str] = []
    position = start
    for mention in document.mentions_in(start, min(end, start + 80)):
        gap = document.text[position : mention.start]
        if not re.fullmatch(r"\s*(?:,|and|&|,\s*and)?\s*(?:the\s+)?", gap, re.I):
            break
        if mention.name is None:
            break
        names.append(mention.name)
        position = mention.end
    return names


# -- restatements --------------------------------------------------------------------------------------

def _without_restatements(found: list[_Found]) -> Iterator[Claim]:
    """Drop a level stated again: the same figure for the same actor, undated or identically dated."""
    kept: list[_Found] = []
    for item in found:
        duplicate = next((k for k in kept if _same_level(k, item)), None)
        if duplicate is None:
            kept.append(item)
        elif _better(item, duplicate):
            kept[kept.index(duplicate)] = item
    keep_ids = {id(k) for k in kept}
    for item in kept:
        if any(
            other is not item and _undated_restatement(item, other) for other in kept
        ):
            keep_ids.discard(id(item))
    for item in found:
        if id(item) in keep_ids:
            yield item.claim


def _numbers(claim: Claim) -> tuple:
    return (claim.unit, claim.value, claim.value_high)


def _actors_compatible(a: _Found, b: _Found) -> bool:
    return a.claim.actor == b.claim.actor or not a.actor_stated or not b.actor_stated


def _same_level(a: _Found, b: _Found) -> bool:
    return (
        _numbers(a.claim) == _numbers(b.claim)
        and (a.claim.year, a.claim.year_high) == (b.claim.year, b.claim.year_high)
        and _actors_compatible(a, b)
    )


def _better(candidate: _Found, current: _Found) -> bool:
    """Prefer a stated actor, then an absolute year over one resolved from "next year", then a speaker."""
    if candidate.actor_stated != current.actor_stated:
        return candidate.actor_stated
    if current.claim.year_relative != candidate.claim.year_relative:
        return current.claim.year_relative
    return current.claim.speaker is None and candidate.claim.speaker is not None


def _undated_restatement(item: _Found, other: _Found) -> bool:
    return (
        item.claim.year is None
        and item.claim.year_high is None
        and other.claim.year is not None
        and _numbers(item.claim) == _numbers(other.claim)
        and _actors_compatible(item, other)
    )
