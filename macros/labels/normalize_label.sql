{#-
    Canonical form of a raw label, so that mapping seeds match labels whatever
    their case or width: trims, folds full-width ASCII and the ideographic space
    to ASCII, folds half-width katakana to full-width (a voiced mark such as
    ﾞ becomes a combining mark, then is composed: ｸﾞ -> グ), then lowercases.
    This is the subset of Unicode NFKC that labels in Japanese CRM exports
    need, written with translate so it runs on every engine.
-#}
{% macro normalize_label(expression) -%}
    nullif(lower(trim({{ compose_kana_voiced_marks("translate(" ~ expression ~ ", '！＃＄％＆（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　｡｢｣､･ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟ', '!#$%&()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~ 。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゙゚')") }})), '')
{%- endmacro %}

{#-
    Composes a katakana followed by a combining voiced or semi-voiced mark
    (U+3099, U+309A) into the single voiced character, as NFC does.
-#}
{% macro compose_kana_voiced_marks(expression) -%}
    {{ return(adapter.dispatch('compose_kana_voiced_marks', 'lead_handoff')(expression)) }}
{%- endmacro %}

{% macro default__compose_kana_voiced_marks(expression) -%}
    {%- set decomposed_to_composed = [
        ["ガ", "ガ"],
        ["ギ", "ギ"],
        ["グ", "グ"],
        ["ゲ", "ゲ"],
        ["ゴ", "ゴ"],
        ["ザ", "ザ"],
        ["ジ", "ジ"],
        ["ズ", "ズ"],
        ["ゼ", "ゼ"],
        ["ゾ", "ゾ"],
        ["ダ", "ダ"],
        ["ヂ", "ヂ"],
        ["ヅ", "ヅ"],
        ["デ", "デ"],
        ["ド", "ド"],
        ["バ", "バ"],
        ["パ", "パ"],
        ["ビ", "ビ"],
        ["ピ", "ピ"],
        ["ブ", "ブ"],
        ["プ", "プ"],
        ["ベ", "ベ"],
        ["ペ", "ペ"],
        ["ボ", "ボ"],
        ["ポ", "ポ"],
        ["ヴ", "ヴ"],
        ["ヷ", "ヷ"],
        ["ヸ", "ヸ"],
        ["ヹ", "ヹ"],
        ["ヺ", "ヺ"],
        ["ヾ", "ヾ"]
    ] -%}
    {%- set ns = namespace(folded=expression) -%}
    {%- for pair in decomposed_to_composed -%}
        {%- set ns.folded = "replace(" ~ ns.folded ~ ", '" ~ pair[0] ~ "', '" ~ pair[1] ~ "')" -%}
    {%- endfor -%}
    {{ ns.folded }}
{%- endmacro %}

{% macro duckdb__compose_kana_voiced_marks(expression) -%}
    nfc_normalize({{ expression }})
{%- endmacro %}
