"""Static vocabularies for the sample-export generator: raw labels, names and their weights.

Everything here is plain data. Canonical codes (the ``*_CODES`` tuples) are what the
simulation works with; each canonical value has a list of raw labels (with weights) that
the writer samples from, mixing English, Japanese, odd case and a few full-width or
unknown variants the way real CRM/MA exports do. Labels that the default mapping seeds
(see ``docs/export-contract.md``) do not know are kept rare on purpose.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- channels
CHANNELS = (
    "webinar",
    "seminar",
    "trade_show",
    "content_download",
    "web_form",
    "paid_ads",
    "referral",
    "outbound",
    "partner",
)
CH = {name: i for i, name in enumerate(CHANNELS)}
EMAIL_CHANNEL = len(CHANNELS)  # newsletter campaigns only (no lead has it as source)

# Share of leads per channel (sums to 1).
CHANNEL_SHARE = (0.17, 0.06, 0.17, 0.20, 0.08, 0.13, 0.04, 0.10, 0.05)
# Mean hidden intent per channel: hot inquiries and referrals high, cards and ads low.
CHANNEL_INTENT = (0.3, 0.4, -0.3, 0.25, 1.3, 0.05, 1.1, -0.2, 0.5)
# How much more (or less) likely sales is to leave a lead of this channel untouched.
CHANNEL_IGNORE = (1.3, 1.1, 2.0, 1.5, 0.35, 1.9, 0.45, 0.6, 1.0)
# Behaviour-event volume factor per channel.
CHANNEL_ENGAGEMENT = (1.0, 1.0, 0.9, 1.1, 1.0, 1.0, 0.8, 0.35, 0.9)

# Raw lead_source labels per channel: (label, weight). Unknown labels are added apart.
LEAD_SOURCE_LABELS: tuple[tuple[tuple[str, float], ...], ...] = (
    (("Webinar", 0.40), ("ウェビナー", 0.45), ("webinar", 0.10), ("ＷＥＢＩＮＡＲ", 0.05)),
    (("セミナー", 0.70), ("Seminar", 0.30)),
    (("展示会", 0.60), ("Trade Show", 0.30), ("Event", 0.10)),
    (
        ("資料DL", 0.30),
        ("資料ダウンロード", 0.20),
        ("Whitepaper", 0.25),
        ("Whitepaper DL", 0.15),
        ("Ebook", 0.07),
        ("資料ＤＬ", 0.03),
    ),
    (
        ("お問い合わせ", 0.45),
        ("問い合わせ", 0.10),
        ("Contact Us", 0.20),
        ("Website", 0.15),
        ("Web", 0.10),
    ),
    (("Google Ads", 0.35), ("広告", 0.35), ("Paid Search", 0.15), ("Paid Social", 0.15)),
    (("紹介", 0.70), ("Referral", 0.30)),
    (("テレアポ", 0.65), ("Cold Call", 0.35)),
    (("Partner", 0.70), ("partner", 0.30)),
)
# Unknown source labels (mapped to "other" by the loader): used for a fraction of a percent.
UNKNOWN_SOURCE_BY_CHANNEL = (
    "その他",
    "その他",
    "名刺交換",
    "その他",
    "その他",
    "LinkedIn Lead Gen",
    "その他",
    "その他",
    "その他",
)
UNKNOWN_SOURCE_RATE = 0.005
EMPTY_SOURCE_RATE = 0.003

# Raw channel labels for campaigns.csv (the newsletter channel is the extra last entry).
CAMPAIGN_CHANNEL_LABELS = (
    ("Webinar", "ウェビナー"),
    ("Seminar", "セミナー"),
    ("Trade Show", "展示会"),
    ("Whitepaper", "資料DL"),
    ("Website", "お問い合わせ"),
    ("Paid Search", "広告"),
    ("Referral", "紹介"),
    ("Cold Call", "テレアポ"),
    ("Partner", "Partner"),
    ("Email", "メール"),
)

# --------------------------------------------------------------------------- stages
STAGES = (
    "lead",
    "mql",
    "sal",
    "sql",
    "opportunity",
    "won",
    "lost",
    "rejected",
    "disqualified",
    "recycled",
)
ST = {name: i for i, name in enumerate(STAGES)}
# Per stage: (Japanese-CRM label, Salesforce-style label). Lead "style" picks the column.
STATUS_LABELS = (
    ("新規", "Open - Not Contacted"),
    ("MQL", "MQL"),
    ("対応中", "Working - Contacted"),
    ("SQL", "SQL"),
    ("商談化", "Closed - Converted"),
    ("受注", "受注"),
    ("失注", "失注"),
    ("見送り", "Rejected"),
    ("失格", "Closed - Not Converted"),
    ("ナーチャリング", "Nurture"),
)
# A few extra raw variants of the same stage (used now and then).
STATUS_VARIANTS = {
    "mql": "Marketing Qualified",
    "sal": "SAL",
    "recycled": "Recycled",
}

REJECT_REASONS = (
    ("予算なし", 0.26),
    ("時期尚早", 0.30),
    ("競合利用中", 0.16),
    ("ニーズなし", 0.16),
    ("情報不備", 0.12),
)
UNREACHABLE_REASON = "連絡不通"
DISQUALIFY_REASONS = (("情報不備", 0.35), ("学生・個人", 0.25), ("競合他社", 0.15), ("重複", 0.15),
                      ("対象外業種", 0.10))  # fmt: skip
LATE_REASONS = (("時期尚早", 0.5), ("予算なし", 0.3), ("競合利用中", 0.2))
ENGLISH_REASONS = {
    "予算なし": "No Budget",
    "時期尚早": "Bad Timing",
    "競合利用中": "Using Competitor",
    "連絡不通": "Unreachable",
}

# --------------------------------------------------------------------------- users
ROLES = ("sdr", "bdr", "ae", "manager", "marketing", "system")
ROLE = {name: i for i, name in enumerate(ROLES)}
ROLE_LABELS = (
    (("sdr", 0.45), ("SDR", 0.50), ("ＳＤＲ", 0.05)),
    (("bdr", 0.40), ("BDR", 0.60)),
    (("ae", 0.35), ("AE", 0.65)),
    (("manager", 0.50), ("Manager", 0.40), ("MANAGER", 0.10)),
    (("marketing", 0.50), ("Marketing", 0.50)),
    (("system", 1.0),),
)
# Routing groups of sales users and their team names.
GROUP_SDR_EAST, GROUP_SDR_WEST, GROUP_BDR, GROUP_AE_EAST, GROUP_AE_WEST, GROUP_MANAGER = range(6)
TEAMS = (
    "Inside Sales East",
    "インサイドセールス西日本",
    "Outbound (BDR)",
    "Field Sales",
    "フィールドセールス西日本",
    "営業本部",
    "マーケティング部",
)
TEAM_MARKETING = 6

SURNAMES = (
    ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"),
    ("伊藤", "ito"), ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"),
    ("小林", "kobayashi"), ("加藤", "kato"), ("吉田", "yoshida"), ("山田", "yamada"),
    ("佐々木", "sasaki"), ("山口", "yamaguchi"), ("松本", "matsumoto"), ("井上", "inoue"),
    ("木村", "kimura"), ("林", "hayashi"), ("斎藤", "saito"), ("清水", "shimizu"),
    ("山崎", "yamazaki"), ("森", "mori"), ("池田", "ikeda"), ("橋本", "hashimoto"),
    ("阿部", "abe"), ("石川", "ishikawa"), ("山下", "yamashita"), ("中島", "nakajima"),
    ("石井", "ishii"), ("小川", "ogawa"), ("前田", "maeda"), ("岡田", "okada"),
    ("長谷川", "hasegawa"), ("藤田", "fujita"), ("後藤", "goto"), ("近藤", "kondo"),
    ("村上", "murakami"), ("遠藤", "endo"), ("青木", "aoki"), ("坂本", "sakamoto"),
)  # fmt: skip
GIVEN_NAMES = (
    ("健太", "kenta"), ("翔太", "shota"), ("大輔", "daisuke"), ("拓也", "takuya"),
    ("直樹", "naoki"), ("誠", "makoto"), ("亮", "ryo"), ("悠斗", "yuto"), ("陽菜", "hina"),
    ("美咲", "misaki"), ("彩", "aya"), ("真由美", "mayumi"), ("愛", "ai"), ("さくら", "sakura"),
    ("由美", "yumi"), ("恵", "megumi"), ("和也", "kazuya"), ("隆", "takashi"),
    ("智子", "tomoko"), ("裕子", "yuko"), ("浩二", "koji"), ("剛", "tsuyoshi"),
    ("明美", "akemi"), ("奈々", "nana"), ("蓮", "ren"), ("葵", "aoi"), ("結衣", "yui"),
    ("修", "osamu"), ("学", "manabu"), ("香織", "kaori"),
)  # fmt: skip

# --------------------------------------------------------------------------- companies
COMPANY_HEADS = (
    ("日本", "nihon"), ("東洋", "toyo"), ("大和", "yamato"), ("富士見", "fujimi"),
    ("三和", "sanwa"), ("サクラ", "sakura"), ("みらい", "mirai"), ("ネクスト", "next"),
    ("グローバル", "global"), ("アスカ", "asuka"), ("ミドリ", "midori"), ("東都", "toto"),
    ("北斗", "hokuto"), ("ひかり", "hikari"), ("青葉", "aoba"), ("太平", "taihei"),
    ("中央", "chuo"), ("関西", "kansai"), ("ソフィア", "sophia"), ("アルファ", "alpha"),
    ("ブライト", "bright"), ("スマート", "smart"), ("ユニ", "uni"), ("日新", "nisshin"),
    ("瑞穂", "mizuho"), ("若葉", "wakaba"), ("朝日", "asahi"), ("白山", "hakusan"),
    ("湊", "minato"), ("双葉", "futaba"), ("エスト", "est"), ("ノヴァ", "nova"),
    ("オリオン", "orion"), ("ルミナ", "lumina"), ("コスモ", "cosmo"), ("かえで", "kaede"),
    ("桜田", "sakurada"), ("大洋", "taiyo"), ("明星", "myojo"), ("新星", "shinsei"),
    ("アクア", "aqua"), ("ゼニス", "zenith"), ("晴海", "harumi"), ("千代田", "chiyoda"),
)  # fmt: skip
COMPANY_BODIES = (
    ("テック", "tech"), ("データ", "data"), ("システム", "system"), ("ロジ", "logi"),
    ("メディカル", "medical"), ("フーズ", "foods"), ("エンジニアリング", "engineering"),
    ("ネットワーク", "network"), ("クラウド", "cloud"), ("精機", "seiki"), ("電機", "denki"),
    ("化学", "kagaku"), ("建設", "kensetsu"), ("物流", "butsuryu"), ("商事", "shoji"),
    ("工業", "kogyo"), ("製作所", "ss"), ("ソリューションズ", "solutions"),
    ("ホールディングス", "hd"), ("ラボ", "lab"), ("デザイン", "design"),
    ("コンサルティング", "consulting"), ("不動産", "estate"), ("サービス", "service"),
    ("マテリアル", "material"), ("ファーマ", "pharma"), ("エナジー", "energy"),
    ("リテール", "retail"), ("モビリティ", "mobility"), ("ファイナンス", "finance"),
    ("食品", "shokuhin"), ("印刷", "insatsu"), ("電子", "denshi"), ("機械", "kikai"),
)  # fmt: skip
COMPANY_TAILS = (
    ("", ""), ("", ""), ("", ""), ("ジャパン", "-japan"), ("東日本", "-east"),
    ("西日本", "-west"), ("インターナショナル", "-intl"), ("パートナーズ", "-partners"),
)  # fmt: skip
# (Japanese label, English label, share, fit bonus)
INDUSTRIES = (
    ("製造業", "Manufacturing", 0.22, 0.6),
    ("IT・通信", "IT & Telecom", 0.20, 0.6),
    ("金融", "Finance", 0.07, 0.1),
    ("小売・流通", "Retail", 0.08, -0.1),
    ("建設・不動産", "Construction", 0.07, -0.1),
    ("医療・福祉", "Healthcare", 0.05, 0.0),
    ("サービス業", "Services", 0.12, 0.0),
    ("商社", "Trading", 0.05, 0.1),
    ("物流", "Logistics", 0.05, 0.2),
    ("教育", "Education", 0.03, -0.4),
    ("官公庁・自治体", "Public Sector", 0.02, -0.5),
    ("コンサルティング", "Consulting", 0.04, 0.1),
)
TARGET_INDUSTRIES = (0, 1)  # manufacturing, IT: the scoring example's "target industry"
# (prefecture, share, area code, west-Japan flag)
PREFECTURES = (
    ("東京都", 0.44, "03", 0), ("大阪府", 0.12, "06", 1), ("神奈川県", 0.08, "045", 0),
    ("愛知県", 0.07, "052", 1), ("福岡県", 0.04, "092", 1), ("埼玉県", 0.03, "048", 0),
    ("千葉県", 0.03, "043", 0), ("兵庫県", 0.03, "078", 1), ("京都府", 0.02, "075", 1),
    ("北海道", 0.02, "011", 0), ("宮城県", 0.015, "022", 0), ("広島県", 0.015, "082", 1),
    ("静岡県", 0.015, "054", 0), ("茨城県", 0.01, "029", 0), ("新潟県", 0.01, "025", 0),
    ("岡山県", 0.01, "086", 1), ("長野県", 0.01, "026", 0), ("熊本県", 0.01, "096", 1),
    ("沖縄県", 0.005, "098", 1), ("石川県", 0.005, "076", 1),
)  # fmt: skip
COUNTRIES = (("JP", 0.93), ("Japan", 0.025), ("日本", 0.015), ("US", 0.01), ("SG", 0.005),
             ("", 0.015))  # fmt: skip

# Job levels: canonical (executive, director, manager, staff, unknown) with raw labels.
JOB_LEVELS = ("executive", "director", "manager", "staff", "unknown")
JOB_LEVEL_SHARE = (0.09, 0.17, 0.28, 0.36, 0.10)
JOB_LEVEL_JA = ("役員", "部長", "課長", "担当者", "")
JOB_LEVEL_JA_ALT = ("役員", "部長", "課長", "一般", "")
JOB_LEVEL_EN = ("executive", "director", "manager", "staff", "")
JOB_LEVEL_EN_ALT = ("Executive", "Director", "Manager", "Staff", "")
JOB_LEVEL_POINTS = (15, 15, 10, 5, 0)
DEPARTMENTS = ("営業部", "マーケティング部", "情報システム部", "経営企画部", "DX推進室", "人事部",
               "カスタマーサクセス部", "事業開発部")  # fmt: skip
TITLE_RANKS = (
    ("代表取締役", "取締役", "執行役員", "代表取締役社長", "CEO", "CTO", "COO", "CMO"),
    ("部長", "本部長", "事業部長", "室長", "Director", "Head of Sales"),
    ("課長", "マネージャー", "グループリーダー", "Manager", "Sales Manager"),
    ("担当", "主任", "係長", "Specialist", "スタッフ", "リーダー"),
    ("", "", "アシスタント", "Member", "契約社員"),
)

# --------------------------------------------------------------------------- events
# Behaviour kinds: (canonical event type, asset or None, points in the example scoring)
EVENT_TYPES = (
    "page_view",
    "email_open",
    "email_click",
    "content_download",
    "seminar_registered",
    "seminar_attended",
    "webinar_attended",
    "form_submit",
    "demo_request",
    "quote_request",
    "contact_request",
)
ET = {name: i for i, name in enumerate(EVENT_TYPES)}
# Raw event-type variants besides the canonical label: (event type, label, share).
EVENT_TYPE_VARIANTS = (
    ("email_open", "Email Open", 0.01),
    ("content_download", "資料ダウンロード", 0.02),
    ("page_view", "Page_View", 0.002),
)
PAGE_ASSETS = (
    "/pricing", "/faq", "/case-studies/manufacturing-a", "/case-studies/it-services-b",
    "/case-studies/finance-c", "/case-studies/retail-d", "/features/sfa", "/features/crm",
    "/features/analytics", "/features/integration", "/blog/inside-sales-kpi",
    "/blog/lead-nurturing-guide", "/blog/bant-basics", "/blog/sla-design",
    "/blog/seminar-followup", "/blog/dx-case-study", "/careers", "/compare/competitor-x",
    "/compare/competitor-y", "/", "/security", "/contact", "/demo", "/quote",
    "/lp/sfa-trial", "/lp/inside-sales-kit",
)  # fmt: skip
PA = {name: i for i, name in enumerate(PAGE_ASSETS)}

# Behaviour "kinds" the simulation draws: name -> (event type, asset choices, points).
KINDS = (
    ("pv_pricing", "page_view", ("/pricing",), 15),
    ("pv_faq", "page_view", ("/faq",), 5),
    ("pv_case", "page_view", ("/case-studies/manufacturing-a", "/case-studies/it-services-b",
                              "/case-studies/finance-c", "/case-studies/retail-d"), 10),
    ("pv_feature", "page_view", ("/features/sfa", "/features/crm", "/features/analytics",
                                 "/features/integration", "/security"), 0),
    ("pv_blog", "page_view", ("/blog/inside-sales-kpi", "/blog/lead-nurturing-guide",
                              "/blog/bant-basics", "/blog/sla-design", "/blog/seminar-followup",
                              "/blog/dx-case-study", "/"), 0),
    ("pv_careers", "page_view", ("/careers",), -5),
    ("pv_compare", "page_view", ("/compare/competitor-x", "/compare/competitor-y"), -5),
    ("email_open", "email_open", None, 0),
    ("email_click", "email_click", None, 0),
    ("content_download", "content_download", None, 15),
    ("seminar_registered", "seminar_registered", None, 0),
    ("seminar_attended", "seminar_attended", None, 20),
    ("webinar_attended", "webinar_attended", None, 20),
    ("form_submit", "form_submit", ("/contact", "/lp/sfa-trial", "/lp/inside-sales-kit"), 5),
    ("demo_request", "demo_request", ("/demo",), 50),
    ("quote_request", "quote_request", ("/quote",), 50),
    ("contact_request", "contact_request", ("/contact",), 50),
)  # fmt: skip
K = {k[0]: i for i, k in enumerate(KINDS)}
REQUEST_KINDS = (K["demo_request"], K["quote_request"], K["contact_request"])
# Kind probabilities for low / mid / high intent leads.
KIND_WEIGHTS = (
    # pric  faq  case feat blog car  cmp  open clk  dl   sreg satt watt form demo quot cont
    (0.02, 0.03, 0.02, 0.08, 0.20, 0.05, 0.03, 0.36, 0.06, 0.04, 0.02, 0.010, 0.02, 0.03,
     0.0010, 0.0005, 0.0010),
    (0.06, 0.05, 0.05, 0.10, 0.14, 0.02, 0.03, 0.28, 0.08, 0.07, 0.03, 0.020, 0.03, 0.03,
     0.0040, 0.0020, 0.0030),
    (0.11, 0.06, 0.09, 0.11, 0.08, 0.01, 0.03, 0.20, 0.09, 0.08, 0.03, 0.030, 0.04, 0.03,
     0.0150, 0.0080, 0.0100),
)  # fmt: skip
MQL_THRESHOLD = 40

CONTENT_TOPICS = (
    ("whitepaper-sfa-guide", "営業DX入門ガイド"),
    ("whitepaper-inside-sales", "インサイドセールス立ち上げ完全ガイド"),
    ("casestudy-manufacturing", "製造業の導入事例集"),
    ("whitepaper-lead-scoring", "リードスコアリング実践ガイド"),
    ("casestudy-it", "IT企業の商談化率改善事例"),
    ("whitepaper-kpi-template", "営業KPIテンプレート"),
    ("ebook-marketing-sla", "マーケと営業のSLA設計ブック"),
    ("casestudy-finance", "金融業界の活用事例"),
)
WEBINAR_TOPICS = ("営業DX最前線", "インサイドセールス成功事例", "リードナーチャリング入門",
                  "商談化率を上げるスコアリング", "MA×SFA連携の実践")  # fmt: skip
TRADE_SHOWS = ("営業支援EXPO", "DX総合EXPO", "マーケティングWeek", "Japan IT Week",
               "セールスDXフェア", "CX/CRM展")  # fmt: skip

# --------------------------------------------------------------------------- activities
ACTIVITY_TYPES = ("call", "email", "meeting", "web_meeting", "sms", "linkedin", "other")
AT = {name: i for i, name in enumerate(ACTIVITY_TYPES)}
# Raw activity_type labels per canonical type: (label, weight). 電話/メール/Web会議 are
# not in the default mapping and stay rare.
ACTIVITY_TYPE_LABELS = (
    (("call", 0.78), ("Call", 0.215), ("電話", 0.005)),
    (("email", 0.78), ("Email", 0.215), ("メール", 0.005)),
    (("meeting", 0.8), ("Meeting", 0.2)),
    (("web_meeting", 0.97), ("Web会議", 0.03)),
    (("sms", 0.7), ("SMS", 0.3)),
    (("linkedin", 0.5), ("LinkedIn", 0.5)),
    (("other", 1.0),),
)
DIRECTIONS = ("outbound", "inbound")
OUTCOMES = ("connected", "no_answer", "voicemail", "wrong_number", "replied", "meeting_booked",
            "completed", "sent")  # fmt: skip
OC = {name: i for i, name in enumerate(OUTCOMES)}

# --------------------------------------------------------------------------- opportunities
OPEN_STAGES = (
    ("ヒアリング", "Qualification"),
    ("提案", "Needs Analysis"),
    ("見積提出", "Proposal/Price Quote"),
    ("交渉", "Negotiation/Review"),
)
WON_STAGE = ("受注", "Closed Won")
LOST_STAGE = ("失注", "Closed Lost")
BOOL_LABELS = (("true", "false"), ("TRUE", "FALSE"), ("1", "0"), ("yes", "no"))
BOOL_STYLE_SHARE = (0.85, 0.10, 0.04, 0.01)
