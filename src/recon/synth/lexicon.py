"""Word lists the synthetic district is built from: surnames, given-name characters, place-name stems.

Frequencies are approximate national figures (surnames per mille); given-name characters carry
Zipf-like weights so that common full names (王伟, 张伟, 李娜) repeat many times. Every table is
a tuple so its order, and therefore every index drawn from it, is fixed. The long tables are
written as text (`name:weight`, `char:weight:gender`, `from=to`) to keep them readable.
"""

from __future__ import annotations


def _pairs(text: str) -> dict[str, str]:
    return dict(item.split("=") for item in text.split())


# Surname:weight per mille, with compound surnames and the polyphonic ones whose pinyin
# libraries get wrong (单 shàn, 曾 zēng, 解 xiè, 查 zhā, 区 ōu).
_SURNAMES = """
王:71 李:70 张:67 刘:54 陈:45 杨:31 黄:22 赵:20 吴:20 周:19 徐:16 孙:15 马:15 朱:13 胡:13 郭:11 何:11 林:10 高:10 罗:9
郑:8 梁:8 谢:7 宋:6 唐:6 许:6 韩:6 冯:5 邓:5 曹:5 彭:5 曾:5 肖:5 田:4 董:4 袁:4 潘:4 于:4 蒋:4 蔡:4 余:4 杜:4 叶:4 程:3 苏:3
魏:3 吕:3 丁:3 任:3 沈:3 姚:3 卢:3 姜:3 崔:3 钟:3 谭:3 陆:3 汪:3 范:2 金:2 石:2 廖:2 贾:2 夏:2 韦:2 付:2 方:2 白:2 邹:2 孟:2
熊:2 秦:2 邱:2 江:2 尹:2 薛:2 闫:2 段:2 雷:2 侯:2 龙:2 史:2 陶:1.2 黎:1.2 贺:1.2 顾:1.2 毛:1.2 郝:1.1 龚:1.1 邵:1.1
万:1.1 钱:1 严:1 覃:1 武:1 戴:1 莫:0.9 孔:0.9 向:0.9 汤:0.9 常:0.8 温:0.8 康:0.8 施:0.8 文:0.7 牛:0.7 樊:0.7 葛:0.7
邢:0.6 安:0.6 齐:0.6 易:0.6 乔:0.6 伍:0.6 庞:0.6 颜:0.5 倪:0.5 庄:0.5 聂:0.5 章:0.5 鲁:0.5 岳:0.5 翟:0.4 殷:0.4
詹:0.4 申:0.4 欧:0.4 耿:0.4 关:0.4 兰:0.3 焦:0.3 俞:0.3 左:0.3 柳:0.3 甘:0.3 祝:0.3 包:0.3 宁:0.3 尚:0.3 符:0.3
舒:0.3 阮:0.3 柯:0.3 单:0.25 解:0.12 查:0.12 区:0.08 仇:0.08 盖:0.06 欧阳:0.25 司马:0.03 诸葛:0.03 上官:0.03 司徒:0.04
东方:0.02 皇甫:0.02 令狐:0.01 尉迟:0.01 公孙:0.01
"""
SURNAMES: tuple[tuple[str, float], ...] = tuple(
    (s, float(w)) for s, w in (x.split(":") for x in _SURNAMES.split())
)

# Homophone mistypings of surnames (the reading a clerk hears, typed with another character).
SURNAME_HOMOPHONES: dict[str, str] = _pairs("""
张=章 章=张 王=汪 汪=王 李=黎 黎=李 刘=柳 柳=刘 杨=阳 黄=皇 吴=伍 伍=吴 徐=许 许=徐 江=姜 姜=江 蒋=江 程=成 曾=增 余=于 于=余 肖=萧 付=傅 陆=路 叶=业
石=史 史=石 戴=代 卢=芦 韦=魏 魏=韦 区=欧 欧=区 解=谢 谢=解 单=善 查=扎 周=舟 林=琳 陈=晨 欧阳=欧杨 司马=司玛 上官=尚官
""")

# Given-name characters: char:weight:gender with gender m, f or u (either).
_GIVEN = """
伟:60:m 强:30:m 磊:28:m 军:26:m 勇:24:m 杰:24:m 涛:20:m 斌:18:m 超:18:m 明:18:u 刚:16:m 平:16:u 辉:16:m 鹏:15:m
华:15:u 飞:14:m 鑫:14:u 波:13:m 宇:13:m 浩:13:m 凯:12:m 健:12:m 俊:12:m 帆:10:u 帅:10:m 旭:10:m 宁:10:u 龙:10:m
林:10:u 阳:10:u 建:10:m 国:10:m 峰:10:m 亮:10:m 成:9:m 东:9:m 文:9:u 志:9:m 海:9:m 洋:12:u 晨:9:u 博:8:m 毅:7:m
兵:7:m 雷:7:m 坤:6:m 彬:6:m 新:6:u 力:6:m 永:6:m 春:6:u 金:6:u 生:5:m 荣:5:u 德:5:m 胜:5:m 宏:5:m 庆:5:u 福:4:m
祥:4:m 才:4:m 发:4:m 山:4:m 江:4:m 清:4:u 松:4:m 安:4:u 良:4:m 兴:4:m 武:4:m 钢:4:m 忠:4:m 振:4:m 贵:3:m 友:3:m
义:3:m 全:3:m 轩:8:m 睿:6:u 泽:6:m 然:5:u 子:8:u 梓:6:u 嘉:6:u 思:6:u 一:6:u 芳:40:f 娜:40:f 敏:36:f 静:36:f 丽:34:f
艳:26:f 娟:22:f 霞:20:f 燕:20:f 玲:18:f 婷:18:f 雪:16:f 慧:16:f 莹:14:f 倩:14:f 琳:14:f 晶:12:f 颖:12:f 洁:12:f
红:12:f 梅:12:f 丹:12:f 萍:11:f 欣:11:f 怡:10:f 佳:10:u 悦:9:f 琪:9:f 璐:8:f 露:8:f 月:8:f 萌:7:f 蕾:7:f 秀:10:f
英:10:f 桂:7:f 兰:7:f 凤:7:f 珍:6:f 玉:6:f 翠:5:f 琴:6:f 云:6:f 莉:6:f 芬:6:f 美:5:f 娇:4:f 媛:5:f 菲:5:f 薇:5:f
瑶:6:f 婕:4:f 妍:6:f 晓:8:u 涵:8:f 雨:7:f 诗:6:f 萱:6:f 桐:5:f 可:4:f 心:4:f 晴:5:f 岚:4:f 婉:4:f 淑:4:f 霖:3:u
"""
GIVEN_CHARS: tuple[tuple[str, float, str], ...] = tuple(
    (c, float(w), g) for c, w, g in (x.split(":") for x in _GIVEN.split())
)

# Characters used only as mistypings of the pool above (homophones and look-alikes); their
# generation weight is zero.
EXTRA_CHARS: tuple[str, ...] = tuple(
    "玮威卫蔚俪立晶婧菁京民珉纳方舫蔷垒君钧咏泳洁捷韬滔宾滨朝潮鸣铭名纲萍苹屏晖惠蕙朋桦骅妃馨心泊羽语钰煜昱昊皓灏恺楷剑骏峻凡繁煦栩凝柠隆珑麟扬锋丰枫靓诚承冬雯闻智致辰宸臣睛亭涓萤瑕淋铃桂情彗汇炜秦勤芹珊姗燕艳妍研岩彦宴雁焰雅亚娅赋非哪甬"
)

# Look-alike (形近) mistypings, applied instead of homophones when a character has one.
LOOKALIKES: dict[str, str] = _pairs("""
晴=睛 婷=亭 娟=涓 莹=萤 霞=瑕 琳=淋 玲=铃 佳=桂 洁=浩 浩=洁 倩=情 慧=彗 晨=辰 斌=赋 鹏=朋 峰=锋 辉=晖 伟=炜 菲=非 娜=哪 勇=甬
""")

ETHNICITIES: tuple[tuple[str, float], ...] = (
    ("汉族", 0.915),
    ("壮族", 0.018),
    ("回族", 0.01),
    ("苗族", 0.01),
    ("土家族", 0.012),
    ("彝族", 0.008),
    ("布依族", 0.007),
    ("侗族", 0.007),
    ("畲族", 0.005),
    ("满族", 0.004),
    ("瑶族", 0.004),
)

# Two pools of characters for invented place-name stems (社区, 路, 小区, 村, 公司). Characters that
# carry address structure (号 幢 栋 单 元 室 组 村 巷 路 街 区 ...) are left out on purpose.
STEM_FIRST: tuple[str, ...] = tuple(
    "文金云海江东西南新兴华阳光明春秋月星湖滨沙杨河义湾前临学锦绣和平安康乐福德祥瑞富贵嘉怡景翠碧青紫银玉凤龙鹤松竹梅兰桂荷柳桃枫樱宏泰盛昌隆丰茂宁静雅逸秀美丽蓝天虹晨曦朝霞高远长永振"
)
STEM_SECOND: tuple[str, ...] = tuple(
    "泽源林庭湾港洲岸汀溪泉桥塘埠浦堤坊田山岭岗坡坪沁涛波澜晖辉荣盛达通鑫悦宸轩阁亭廊韵馨芳华茗蕊苗禾稻麦桑榆杉柏樟梧桐兴旺成新亿隆祥福康瑞家邦汇聚合嘉泰丰熙明澄清宁安翔飞腾越航远"
)

ROAD_SUFFIXES: tuple[tuple[str, float], ...] = (("路", 0.55), ("街", 0.25), ("大道", 0.1), ("巷", 0.1))
COMPOUND_SUFFIXES: tuple[tuple[str, float], ...] = (
    ("苑", 0.22),
    ("花园", 0.2),
    ("家园", 0.16),
    ("公寓", 0.1),
    ("小区", 0.1),
    ("府", 0.08),
    ("雅苑", 0.06),
    ("华庭", 0.05),
    ("名邸", 0.03),
)
# Small typos an address writer makes in a compound suffix; the stem still identifies it.
SUFFIX_TYPOS: dict[str, str] = _pairs(
    "苑=园 花园=花苑 家园=佳园 公寓=公域 小区=小曲 府=符 雅苑=雅园 华庭=华亭 名邸=名第 新村=新邨"
)
INDUSTRIES: tuple[str, ...] = (
    "电子",
    "科技",
    "精密",
    "制衣",
    "食品",
    "物流",
    "汽车零部件",
    "生物医药",
    "新材料",
    "智能装备",
)
PROJECT_KINDS: tuple[str, ...] = ("安置房", "商住地块", "学校", "商业综合体", "人才公寓", "产业园", "地铁站")
CONTRACTORS: tuple[str, ...] = (
    "中建三局集团有限公司",
    "中建八局第一建设有限公司",
    "浙江省建工集团有限责任公司",
    "中天建设集团有限公司",
    "广东省建筑工程集团有限公司",
    "中铁十四局集团有限公司",
    "华润建筑有限公司",
    "中交第三航务工程局有限公司",
)
AGENCY_SUFFIXES: tuple[str, ...] = ("房产经纪", "置业", "房屋中介", "地产", "租房服务")
RESIDENCE_REASONS: tuple[tuple[str, float], ...] = (
    ("务工", 0.68),
    ("经商", 0.08),
    ("投靠亲友", 0.11),
    ("就学", 0.05),
    ("其他", 0.08),
)
REMARKS: tuple[str, ...] = ("", "", "", "", "租户", "新增", "疑似搬离", "电话未接通", "户主", "家属")
