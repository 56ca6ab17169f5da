"""The Ahvaz 1407 demo: the seed's exact shape, with invented but plausible names and figures.

Counts and the names of the 4 strategic objectives and 11 committees come from the seed
(`shared/seed/ahvaz-1407-announcement.en.md`); everything else is made up and deterministic.
"""

import random

OBJECTIVES = [
    ("O1", "افزایش بهره‌وری سازمانی", "Increasing organisational productivity"),
    ("O2", "ارتقاء سرمایه اجتماعی و مشارکت شهروندان", "Strengthening social capital and citizen participation"),
    ("O3", "ارتقاء سیما و منظر شهری", "Improving the cityscape and urban landscape"),
    ("O4", "توسعه زیرساخت‌های شهری", "Developing urban infrastructure"),
]

# code, Persian, English, objective, [(output subject fa, en) ...], project templates, action templates
COMMITTEES = [
    (
        "C01",
        "زیرسازی و آسفالت معابر",
        "Sub-base and asphalt of streets",
        "O4",
        [
            ("کیفیت روسازی معابر شریانی", "arterial street pavement quality"),
            ("زیرسازی معابر محلی", "sub-base of local streets"),
            ("ایمنی پیاده‌روها", "pavement safety for pedestrians"),
        ],
        [
            ("روکش آسفالت معابر منطقه {d}", "Resurfacing streets in district {d}"),
            ("زیرسازی و جدول‌گذاری معابر منطقه {d}", "Sub-base and kerbs of streets in district {d}"),
        ],
        [("تهیه شناسنامه معابر منطقه {d}", "Street register for district {d}")],
    ),
    (
        "C02",
        "مدیریت پسماند",
        "Waste management",
        "O3",
        [
            ("جمع‌آوری بهنگام پسماند", "timely waste collection"),
            ("تفکیک پسماند از مبدأ", "waste separation at source"),
            ("دفع بهداشتی پسماند", "sanitary waste disposal"),
        ],
        [
            ("نوسازی ناوگان جمع‌آوری پسماند منطقه {d}", "Renewing the waste collection fleet of district {d}"),
            ("احداث ایستگاه انتقال پسماند منطقه {d}", "Building a waste transfer station in district {d}"),
        ],
        [("آموزش تفکیک پسماند در مدارس منطقه {d}", "Teaching waste separation in the schools of district {d}")],
    ),
    (
        "C03",
        "پارک‌ها و فضای سبز",
        "Parks and green space",
        "O3",
        [
            ("سرانه فضای سبز شهری", "urban green space per capita"),
            ("نگهداری بوستان‌های محله‌ای", "upkeep of neighbourhood parks"),
            ("آبیاری کم‌آب‌بر", "water-saving irrigation"),
        ],
        [
            ("احداث بوستان محله‌ای در منطقه {d}", "Building a neighbourhood park in district {d}"),
            ("اصلاح شبکه آبیاری فضای سبز منطقه {d}", "Upgrading green-space irrigation in district {d}"),
        ],
        [("پایش سلامت درختان منطقه {d}", "Tree health survey of district {d}")],
    ),
    (
        "C04",
        "سیما و منظر شهری",
        "Cityscape and urban landscape",
        "O3",
        [
            ("هویت بصری محورهای شهری", "visual identity of urban corridors"),
            ("ساماندهی تابلوها و نماها", "ordering of signs and facades"),
            ("روشنایی معابر و فضاهای عمومی", "lighting of streets and public spaces"),
        ],
        [
            ("بهسازی نمای محور تاریخی منطقه {d}", "Restoring the facades of the historic corridor in district {d}"),
            ("نورپردازی پل‌ها و میادین منطقه {d}", "Lighting bridges and squares in district {d}"),
        ],
        [("تدوین ضوابط نما در منطقه {d}", "Facade guidelines for district {d}")],
    ),
    (
        "C05",
        "فرهنگ شهروندی",
        "Citizenship culture",
        "O2",
        [
            ("مشارکت شهروندان در تصمیم‌گیری محله", "citizen participation in neighbourhood decisions"),
            ("آموزش حقوق و تکالیف شهروندی", "education on civic rights and duties"),
            ("فعالیت سرای محلات", "activity of neighbourhood houses"),
        ],
        [
            ("راه‌اندازی سرای محله در منطقه {d}", "Opening a neighbourhood house in district {d}"),
            ("برگزاری جشنواره فرهنگ شهروندی منطقه {d}", "Citizenship culture festival in district {d}"),
        ],
        [("تشکیل شورای اجتماعی محله در منطقه {d}", "Neighbourhood social council in district {d}")],
    ),
    (
        "C06",
        "حمل و نقل عمومی",
        "Public transport",
        "O4",
        [
            ("سهم حمل و نقل عمومی از سفرها", "public transport share of trips"),
            ("نوسازی ناوگان اتوبوسرانی", "bus fleet renewal"),
            ("دسترسی به ایستگاه‌ها", "access to stations"),
        ],
        [
            ("احداث خط ویژه اتوبوس در منطقه {d}", "Bus rapid transit lane in district {d}"),
            ("بهسازی پایانه‌های مسافری منطقه {d}", "Upgrading passenger terminals in district {d}"),
        ],
        [("مطالعه مسیرهای اتوبوس منطقه {d}", "Bus route study for district {d}")],
    ),
    (
        "C07",
        "دفع آب‌های سطحی",
        "Surface-water drainage",
        "O4",
        [
            ("ظرفیت شبکه جمع‌آوری آب‌های سطحی", "capacity of the surface-water network"),
            ("کاهش آب‌گرفتگی معابر", "fewer flooded streets"),
            ("لایروبی کانال‌ها", "dredging of canals"),
        ],
        [
            ("احداث کانال جمع‌آوری آب‌های سطحی منطقه {d}", "Surface-water canal in district {d}"),
            ("نصب ایستگاه پمپاژ آب‌های سطحی منطقه {d}", "Surface-water pumping station in district {d}"),
        ],
        [("شناسایی نقاط آب‌گیر منطقه {d}", "Mapping flood-prone points of district {d}")],
    ),
    (
        "C08",
        "نظام مدیریتی و ساختاری شهرداری",
        "The municipality's management and structural system",
        "O1",
        [
            ("چابکی ساختار سازمانی", "agility of the organisational structure"),
            ("استقرار نظام مدیریت عملکرد", "performance management system"),
            ("شفافیت فرایندهای اداری", "transparency of administrative processes"),
        ],
        [
            ("بازمهندسی فرایندهای شهرسازی منطقه {d}", "Re-engineering planning permits in district {d}"),
            ("استقرار میز خدمت در منطقه {d}", "Service desk in district {d}"),
        ],
        [("بازنگری شرح وظایف واحدهای منطقه {d}", "Reviewing unit mandates in district {d}")],
    ),
    (
        "C09",
        "سرمایه انسانی شهرداری",
        "The municipality's human capital",
        "O1",
        [
            ("توانمندی تخصصی کارکنان", "staff professional skills"),
            ("نظام جانشین‌پروری مدیران", "manager succession planning"),
        ],
        [
            ("دوره‌های آموزش تخصصی کارکنان منطقه {d}", "Professional training for staff of district {d}"),
            ("ارزیابی شایستگی مدیران منطقه {d}", "Competency assessment of managers in district {d}"),
        ],
        [("نیازسنجی آموزشی کارکنان منطقه {d}", "Training needs assessment in district {d}")],
    ),
    (
        "C10",
        "مدیریت منابع مالی (درآمد و هزینه)",
        "Financial resources management, revenue and expenditure",
        "O1",
        [
            ("سهم درآمدهای پایدار", "share of sustainable revenue"),
            ("کاهش هزینه‌های جاری", "lower running costs"),
            ("وصول مطالبات", "collection of receivables"),
        ],
        [
            ("سامانه یکپارچه درآمد منطقه {d}", "Integrated revenue system for district {d}"),
            ("مولدسازی دارایی‌های منطقه {d}", "Putting the assets of district {d} to productive use"),
        ],
        [("به‌روزرسانی بانک املاک منطقه {d}", "Updating the property register of district {d}")],
    ),
    (
        "C11",
        "هوشمندسازی",
        "Smart city",
        "O1",
        [
            ("خدمات الکترونیکی شهروندی", "electronic citizen services"),
            ("زیرساخت داده‌های شهری", "urban data infrastructure"),
        ],
        [
            ("توسعه شبکه فیبر نوری منطقه {d}", "Fibre network in district {d}"),
            ("استقرار سامانه پایش هوشمند ترافیک منطقه {d}", "Smart traffic monitoring in district {d}"),
        ],
        [("یکپارچه‌سازی داده‌های مکانی منطقه {d}", "Integrating spatial data of district {d}")],
    ),
]

INDICATOR_TEMPLATES = [
    ("نسبت تحقق {x}", "Achievement of {x}", "درصد", "up"),
    ("رضایت شهروندان از {x}", "Citizen satisfaction with {x}", "درصد", "up"),
    ("هزینه واحد {x}", "Unit cost of {x}", "میلیون ریال", "down"),
]
UNITS = [
    "معاونت فنی و عمرانی",
    "سازمان مدیریت پسماند",
    "سازمان پارک‌ها و فضای سبز",
    "سازمان زیباسازی",
    "اداره کل امور اجتماعی و فرهنگی",
    "سازمان حمل و نقل و ترافیک",
    "معاونت خدمات شهری",
    "معاونت برنامه‌ریزی و توسعه سرمایه انسانی",
    "اداره کل منابع انسانی",
    "معاونت مالی و اقتصادی",
    "سازمان فناوری اطلاعات و ارتباطات",
]
YEARS = range(1403, 1408)
PROJECT_COUNT, ACTION_COUNT, PORTFOLIO_COUNT = 164, 126, 50


def _digits(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def ahvaz_1407() -> dict:
    """The demo plan as an exchange document (see plan.exchange)."""
    rng = random.Random(1407)
    outputs, indicators, projects, actions = [], [], [], []
    per_objective: dict[str, int] = {}
    output_rows = []  # (code, committee index, subject)
    for c_index, (c_code, _fa, _en, objective, subjects, _p, _a) in enumerate(COMMITTEES):
        for subject_fa, subject_en in subjects:
            per_objective[objective] = per_objective.get(objective, 0) + 1
            code = f"EO{objective[1:]}.{per_objective[objective]}"
            outputs.append(
                {
                    "code": code,
                    "objective": objective,
                    "name_fa": f"بهبود {subject_fa}",
                    "name_en": f"Better {subject_en}",
                    "committee": c_code,
                }
            )
            output_rows.append((code, c_index, subject_fa, subject_en))

    for o_index, (o_code, _c, subject_fa, subject_en) in enumerate(output_rows):
        count = 3 if o_index < 22 else 2
        for k in range(count):
            name_fa, name_en, unit, direction = INDICATOR_TEMPLATES[k]
            baseline = rng.randrange(20, 70) if unit == "درصد" else rng.randrange(200, 900)
            step = rng.randrange(2, 7) * (1 if direction == "up" else -1)
            indicators.append(
                {
                    "code": f"IND{o_code[2:]}.{k + 1}",
                    "output": o_code,
                    "name_fa": name_fa.format(x=subject_fa),
                    "name_en": name_en.format(x=subject_en),
                    "unit": unit,
                    "baseline": baseline,
                    "direction": direction,
                    "targets": {str(y): baseline + step * (i + 1) for i, y in enumerate(YEARS)},
                }
            )

    portfolios = []
    project_number = action_number = 0
    for o_index, (o_code, c_index, _s, _e) in enumerate(output_rows):
        templates = COMMITTEES[c_index][5]
        for k in range(6 if o_index < 9 else 5):
            project_number += 1
            district = (project_number % 8) + 1
            name_fa, name_en = templates[k % len(templates)]
            first_year = rng.choice([1403, 1403, 1404, 1405])
            last_year = min(1407, first_year + rng.randrange(1, 4))
            portfolio = f"PF-{((project_number - 1) % PORTFOLIO_COUNT) + 1:02d}"
            projects.append(
                {
                    "code": f"PRJ-{project_number:03d}",
                    "output": o_code,
                    "name_fa": name_fa.format(d=_digits(district))
                    + (f" (مرحله {_digits(k // 2 + 1)})" if k > 1 else ""),
                    "name_en": name_en.format(d=district) + (f" (phase {k // 2 + 1})" if k > 1 else ""),
                    "responsible_unit": UNITS[c_index],
                    "start": f"{first_year}/01/15",
                    "end": f"{last_year}/12/20",
                    "budgets": {
                        str(y): rng.randrange(5, 400) * 1_000_000_000 for y in YEARS if first_year <= y <= last_year
                    },
                    "portfolio": portfolio,
                }
            )
        a_templates = COMMITTEES[c_index][6]
        for _k in range(5 if o_index < 2 else 4):
            action_number += 1
            district = (action_number % 8) + 1
            name_fa, name_en = a_templates[0]
            actions.append(
                {
                    "code": f"ACT-{action_number:03d}",
                    "output": o_code,
                    "name_fa": name_fa.format(d=_digits(district)),
                    "name_en": name_en.format(d=district),
                    "responsible_unit": UNITS[c_index],
                    "due_year": rng.choice(list(YEARS)),
                }
            )
    for number in range(1, PORTFOLIO_COUNT + 1):
        first = next(p for p in projects if p["portfolio"] == f"PF-{number:02d}")
        theme_fa = first["name_fa"].split(" منطقه")[0]
        theme_en = first["name_en"].split(" in district")[0]
        portfolios.append(
            {
                "code": f"PF-{number:02d}",
                "name_fa": f"سبد {theme_fa} ({_digits(number)})",
                "name_en": f"Portfolio: {theme_en} ({number})",
            }
        )

    return {
        "format": "baznegar-plan/1",
        "plan": {
            "code": "ahvaz-1407",
            "name_fa": "برنامه سوم راهبردی‌ـ‌عملیاتی شهرداری اهواز (اهواز ۱۴۰۷)",
            "name_en": "Ahvaz Municipality's third strategic-operational plan (Ahvaz 1407)",
            "city_fa": "اهواز",
            "city_en": "Ahvaz",
            "strategic_horizon": [1403, 1412],
            "operational_horizon": [1403, 1407],
        },
        "version": {"number": 1, "issuance_number": "3297", "issued_at": "2024-06-06T08:00:00+00:00"},
        "statements": [
            {
                "code": "MISSION",
                "name_fa": "مأموریت",
                "name_en": "Mission",
                "text_fa": "شهرداری اهواز با تکیه بر دانش و تجربه کارشناسان و مشارکت شهروندان، خدمات شهری پایدار، "
                "عادلانه و باکیفیت ارائه می‌کند.",
                "text_en": "Ahvaz Municipality delivers sustainable, fair and good urban services, relying on its "
                "experts' knowledge and the participation of its citizens.",
            },
            {
                "code": "VISION",
                "name_fa": "چشم‌انداز",
                "name_en": "Vision",
                "text_fa": "اهواز در افق ۱۴۱۲ شهری سرزنده، پاک، ایمن و مشارکت‌محور است.",
                "text_en": "By 1412 Ahvaz is a lively, clean, safe and participatory city.",
            },
        ],
        "objectives": [{"code": c, "name_fa": fa, "name_en": en} for c, fa, en in OBJECTIVES],
        "committees": [{"code": c[0], "name_fa": c[1], "name_en": c[2]} for c in COMMITTEES],
        "outputs": outputs,
        "indicators": indicators,
        "projects": projects,
        "actions": actions,
        "portfolios": portfolios,
    }


SECOND_CITY_COMMITTEES = ("C01", "C02", "C03")


def shushtar_1407() -> dict:
    """The demo's second city, small: Shushtar's plan, three committees and what they own, drafted on
    Ahvaz's model (a province's cities often share a consultant's template) under its own name."""
    model = ahvaz_1407()
    committees = [c for c in model["committees"] if c["code"] in SECOND_CITY_COMMITTEES]
    outputs = [o for o in model["outputs"] if o["committee"] in SECOND_CITY_COMMITTEES]
    kept = {o["code"] for o in outputs}
    projects = [p for p in model["projects"] if p["output"] in kept][:12]
    portfolios = {p["portfolio"] for p in projects}

    def local(text: str) -> str:
        return text.replace("اهواز", "شوشتر").replace("Ahvaz", "Shushtar")

    def renamed(rows):
        return [
            {k: local(v) if k in ("name_fa", "name_en", "text_fa", "text_en") else v for k, v in r.items()}
            for r in rows
        ]

    return {
        **model,
        "plan": {
            **model["plan"],
            "code": "shushtar-1407",
            "name_fa": "برنامه راهبردی‌ـ‌عملیاتی شهرداری شوشتر (شوشتر ۱۴۰۷)",
            "name_en": "Shushtar Municipality's strategic-operational plan (Shushtar 1407)",
            "city_fa": "شوشتر",
            "city_en": "Shushtar",
        },
        "version": {"number": 1, "issuance_number": "ش-۱۲۰", "issued_at": "2024-07-01T08:00:00+00:00"},
        "statements": renamed(model["statements"]),
        "objectives": renamed([o for o in model["objectives"] if o["code"] in {x["objective"] for x in outputs}]),
        "committees": renamed(committees),
        "outputs": renamed(outputs),
        "indicators": renamed([i for i in model["indicators"] if i["output"] in kept]),
        "projects": renamed(projects),
        "actions": renamed([a for a in model["actions"] if a["output"] in kept][:8]),
        "portfolios": renamed([p for p in model["portfolios"] if p["code"] in portfolios]),
    }
