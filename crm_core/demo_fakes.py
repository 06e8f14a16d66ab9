"""Realistic Chinese values for demo data: people, companies, addresses, phone and ID numbers.

Pure functions over a ``random.Random``: the same generator state gives the
same values, which is what makes :mod:`crm_core.demo` reproducible from a
seed. Every value passes the checks of :mod:`crm_core.validation` (mobiles,
landlines, 18-digit ID numbers and unified social credit codes with their
check characters).

E-mail addresses live under ``example.com`` (reserved by RFC 2606), so a demo
database can never send mail to a real company.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from itertools import accumulate

MAIL_DOMAIN = "example.com"
OUR_COMPANY = "杭州智云软件股份有限公司"
OUR_MAIL = f"zhiyunsoft.{MAIL_DOMAIN}"
OUR_ACCOUNTS = ("招商银行杭州高新支行 571908812310601", "中国工商银行杭州西湖支行 1202021109900157718")


@dataclass(frozen=True)
class City:
    """A city with what addresses, phones and ID numbers need: province, area code, districts."""

    name: str
    province: str  # "" for the four municipalities
    area_code: str
    districts: tuple[tuple[str, str], ...]  # (district, 6-digit administrative division code)
    weight: int


CITIES: tuple[City, ...] = (
    City("杭州", "浙江省", "0571", (("西湖区", "330106"), ("滨江区", "330108"), ("拱墅区", "330105")), 14),
    City("上海", "", "021", (("浦东新区", "310115"), ("徐汇区", "310104"), ("闵行区", "310112")), 10),
    City("北京", "", "010", (("朝阳区", "110105"), ("海淀区", "110108"), ("丰台区", "110106")), 10),
    City("深圳", "广东省", "0755", (("南山区", "440305"), ("福田区", "440304"), ("龙岗区", "440307")), 8),
    City("广州", "广东省", "020", (("天河区", "440106"), ("越秀区", "440104"), ("番禺区", "440113")), 7),
    City("南京", "江苏省", "025", (("鼓楼区", "320106"), ("玄武区", "320102")), 6),
    City("苏州", "江苏省", "0512", (("姑苏区", "320508"), ("虎丘区", "320505")), 6),
    City("宁波", "浙江省", "0574", (("鄞州区", "330212"), ("海曙区", "330203")), 5),
    City("成都", "四川省", "028", (("武侯区", "510107"), ("锦江区", "510104")), 5),
    City("武汉", "湖北省", "027", (("武昌区", "420106"), ("洪山区", "420111")), 4),
    City("西安", "陕西省", "029", (("雁塔区", "610113"), ("碑林区", "610103")), 3),
    City("重庆", "", "023", (("渝中区", "500103"), ("江北区", "500105")), 3),
    City("天津", "", "022", (("和平区", "120101"), ("南开区", "120104")), 3),
    City("长沙", "湖南省", "0731", (("岳麓区", "430104"), ("芙蓉区", "430102")), 3),
    City("郑州", "河南省", "0371", (("金水区", "410105"), ("二七区", "410103")), 3),
    City("济南", "山东省", "0531", (("历下区", "370102"), ("市中区", "370103")), 2),
    City("青岛", "山东省", "0532", (("市南区", "370202"), ("崂山区", "370212")), 2),
    City("厦门", "福建省", "0592", (("思明区", "350203"), ("湖里区", "350206")), 2),
    City("合肥", "安徽省", "0551", (("蜀山区", "340104"), ("包河区", "340111")), 2),
    City("福州", "福建省", "0591", (("鼓楼区", "350102"), ("台江区", "350103")), 2),
)
_CITY_WEIGHTS = list(accumulate(c.weight for c in CITIES))  # cumulative: random.choices(cum_weights=)

ROADS = ("文三路", "中山路", "人民路", "解放路", "建设路", "和平路", "新华路", "文化路", "科技路", "创新大道",
         "高新大道", "学府路", "东风路", "长江路", "环城北路", "工业园路", "滨江大道", "世纪大道", "学院路", "天目山路")
BUILDINGS = ("华星科技大厦", "国际金融中心", "创业大厦", "软件园", "智慧产业园", "财富广场", "东方大厦",
             "海创园", "数字经济产业园", "万达广场", "中心大厦", "科技创新中心")

# Surnames roughly in order of frequency (weights), with their pinyin for logins and e-mails.
SURNAMES = (("王", "wang", 10), ("李", "li", 10), ("张", "zhang", 9), ("刘", "liu", 8), ("陈", "chen", 7),
            ("杨", "yang", 5), ("黄", "huang", 4), ("赵", "zhao", 4), ("吴", "wu", 4), ("周", "zhou", 4),
            ("徐", "xu", 3), ("孙", "sun", 3), ("马", "ma", 3), ("朱", "zhu", 3), ("胡", "hu", 3),
            ("郭", "guo", 2), ("何", "he", 2), ("高", "gao", 2), ("林", "lin", 2), ("罗", "luo", 2),
            ("郑", "zheng", 2), ("梁", "liang", 2), ("谢", "xie", 2), ("宋", "song", 2), ("唐", "tang", 2),
            ("韩", "han", 1), ("冯", "feng", 1), ("邓", "deng", 1), ("曹", "cao", 1), ("彭", "peng", 1),
            ("曾", "zeng", 1), ("肖", "xiao", 1), ("田", "tian", 1), ("董", "dong", 1), ("潘", "pan", 1),
            ("袁", "yuan", 1), ("蒋", "jiang", 1), ("蔡", "cai", 1), ("余", "yu", 1), ("叶", "ye", 1),
            ("程", "cheng", 1), ("苏", "su", 1), ("魏", "wei", 1), ("丁", "ding", 1), ("沈", "shen", 1))
_SURNAME_WEIGHTS = list(accumulate(w for _, _, w in SURNAMES))  # cumulative
MALE_CHARS = (("伟", "wei"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("勇", "yong"), ("杰", "jie"),
              ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("刚", "gang"), ("平", "ping"), ("辉", "hui"),
              ("鹏", "peng"), ("浩", "hao"), ("宇", "yu"), ("建", "jian"), ("国", "guo"), ("文", "wen"),
              ("斌", "bin"), ("峰", "feng"), ("俊", "jun"), ("凯", "kai"), ("博", "bo"), ("晨", "chen"),
              ("志", "zhi"), ("海", "hai"), ("东", "dong"), ("林", "lin"), ("亮", "liang"), ("睿", "rui"))
FEMALE_CHARS = (("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("艳", "yan"),
                ("娟", "juan"), ("霞", "xia"), ("秀", "xiu"), ("英", "ying"), ("华", "hua"), ("玉", "yu"),
                ("萍", "ping"), ("红", "hong"), ("琳", "lin"), ("婷", "ting"), ("雪", "xue"), ("欣", "xin"),
                ("怡", "yi"), ("佳", "jia"), ("慧", "hui"), ("颖", "ying"), ("倩", "qian"), ("洁", "jie"),
                ("蕾", "lei"), ("悦", "yue"), ("思", "si"), ("嘉", "jia"), ("梦", "meng"), ("晓", "xiao"))

# 字号 (trade names) are made of two of these; pinyin gives the company's mail domain.
TRADE_CHARS = (("云", "yun"), ("帆", "fan"), ("华", "hua"), ("信", "xin"), ("锐", "rui"), ("智", "zhi"),
               ("诚", "cheng"), ("恒", "heng"), ("通", "tong"), ("金", "jin"), ("桥", "qiao"), ("博", "bo"),
               ("远", "yuan"), ("天", "tian"), ("鼎", "ding"), ("盛", "sheng"), ("瑞", "rui"), ("丰", "feng"),
               ("创", "chuang"), ("航", "hang"), ("汇", "hui"), ("中", "zhong"), ("德", "de"), ("润", "run"),
               ("海", "hai"), ("纳", "na"), ("卓", "zhuo"), ("越", "yue"), ("宏", "hong"), ("图", "tu"),
               ("锦", "jin"), ("泰", "tai"), ("和", "he"), ("安", "an"), ("达", "da"), ("新", "xin"),
               ("景", "jing"), ("明", "ming"), ("星", "xing"), ("辰", "chen"), ("嘉", "jia"), ("亿", "yi"),
               ("联", "lian"), ("启", "qi"), ("晟", "sheng"), ("融", "rong"), ("峰", "feng"), ("宇", "yu"))

# 行业词 by industry code of the seeded dictionary; codes an admin adds later get "科技".
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "manufacturing": ("机械制造", "精密电子", "汽车零部件", "新材料", "智能装备", "包装制品"),
    "retail": ("商贸", "百货", "连锁超市", "便利店", "服饰", "家居用品"),
    "finance": ("投资", "融资租赁", "保险代理", "小额贷款", "资产管理"),
    "education": ("教育科技", "职业培训", "文化传播", "教育咨询"),
    "healthcare": ("医疗器械", "医药连锁", "健康管理", "生物科技"),
    "government": ("智慧城市", "政务信息", "公共服务"),
    "it": ("网络科技", "信息技术", "软件", "数据科技", "云计算", "电子商务"),
    "logistics": ("物流", "供应链管理", "国际货运代理", "冷链物流"),
    "catering": ("餐饮管理", "食品", "餐饮连锁"),
    "real_estate": ("房地产开发", "物业服务", "置业"),
}

MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                   "155", "156", "157", "158", "159", "166", "173", "176", "177", "178", "180", "181", "182",
                   "183", "185", "186", "187", "188", "189", "191", "198", "199")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Person:
    """A generated person: Chinese name, its pinyin (for logins and e-mail) and sex."""

    name: str
    pinyin: str
    male: bool


@dataclass(frozen=True)
class Company:
    """A generated company name with what belongs to it."""

    name: str
    trade: str  # 字号, e.g. 云帆
    domain: str  # mail domain, e.g. yunfan.example.com
    category: str  # company_category dictionary code
    industry: str


def city(rng: random.Random) -> City:
    """A city, weighted towards the larger markets (and Hangzhou, where the vendor sits)."""
    return rng.choices(CITIES, cum_weights=_CITY_WEIGHTS)[0]


def person(rng: random.Random, male: bool | None = None) -> Person:
    """A person with a common surname and a one- or two-character given name."""
    male = rng.random() < 0.55 if male is None else male
    sur, sur_py, _ = rng.choices(SURNAMES, cum_weights=_SURNAME_WEIGHTS)[0]
    pool = MALE_CHARS if male else FEMALE_CHARS
    given = rng.sample(pool, 2 if rng.random() < 0.6 else 1)
    return Person(sur + "".join(c for c, _ in given), sur_py + "".join(p for _, p in given), male)


def company(rng: random.Random, c: City, industries: list[str], categories: list[str]) -> Company:
    """城市 + 字号 + 行业词 + 有限公司 / 股份有限公司 (sometimes a partnership or a sole proprietorship)."""
    (a, pa), (b, pb) = rng.sample(TRADE_CHARS, 2)
    trade, domain = a + b, f"{pa}{pb}.{MAIL_DOMAIN}"
    industry = rng.choice(industries) if industries else "it"
    word = rng.choice(INDUSTRY_WORDS.get(industry, ("科技",)))
    roll = rng.random()
    if roll < 0.04 and "partnership" in categories:
        return Company(f"{c.name}{trade}{rng.choice(('投资管理', '企业管理咨询'))}合伙企业（有限合伙）",
                       trade, domain, "partnership", "finance" if "finance" in industries else industry)
    if roll < 0.07 and "sole" in categories:
        district = rng.choice(c.districts)[0]
        return Company(f"{c.name}市{district}{trade}{rng.choice(('电脑', '商贸', '餐饮', '五金'))}经营部",
                       trade, domain, "sole", industry)
    if roll < 0.25 and "joint_stock" in categories:
        return Company(f"{c.name}{trade}{word}股份有限公司", trade, domain, "joint_stock", industry)
    return Company(f"{c.name}{trade}{word}有限公司", trade, domain, "llc" if "llc" in categories else "", industry)


def address(rng: random.Random, c: City, *, office: bool = True) -> str:
    """A street address in the city, e.g. 浙江省杭州市西湖区文三路478号华星科技大厦12层."""
    district = rng.choice(c.districts)[0]
    street = f"{c.province}{c.name}市{district}{rng.choice(ROADS)}{rng.randint(1, 999)}号"
    if office:
        return street + f"{rng.choice(BUILDINGS)}{rng.randint(2, 28)}层"
    return street + f"{rng.randint(1, 30)}幢{rng.randint(1, 4)}单元{rng.randint(1, 30):d}0{rng.randint(1, 4)}室"


def mobile(rng: random.Random) -> str:
    """An 11-digit mainland mobile number, e.g. 13812345678."""
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"


def landline(rng: random.Random, c: City) -> str:
    """A landline in the city's area code (010-62345678), sometimes with an extension."""
    number = f"{c.area_code}-{rng.randint(2, 8)}{rng.randrange(10 ** 7):07d}"
    return number + (f"-{rng.randint(800, 8999)}" if rng.random() < 0.15 else "")


def service_number(rng: random.Random) -> str:
    """A 400 service hotline, as larger companies print on their letterhead."""
    return f"400-{rng.randint(100, 999)}-{rng.randrange(10 ** 4):04d}"


def email(local: str, domain: str) -> str:
    return f"{local}@{domain}"


def id_number(rng: random.Random, c: City, born: dt.date, male: bool) -> str:
    """An 18-digit resident ID (GB 11643-1999) with a correct check character.

    The sequence number's last digit is odd for men and even for women, as on real cards.
    """
    region = rng.choice(c.districts)[1]
    seq = rng.randrange(0, 100) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + _ID_CHECK[sum(int(ch) * w for ch, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def credit_code(rng: random.Random, c: City) -> str:
    """A unified social credit code (GB 32100-2015) of an enterprise registered in the city.

    Registration authority 9 (market regulation), type 1 (enterprise), the
    district's division code, a 9-character organisation code with its own
    check character (GB 11714), then the overall check character.
    """
    org = f"{rng.randrange(10 ** 8):08d}"
    org_check = 11 - sum(int(ch) * w for ch, w in zip(org, _ORG_WEIGHTS, strict=True)) % 11
    org += {10: "X", 11: "0"}.get(org_check, str(org_check))
    body = f"91{rng.choice(c.districts)[1]}{org}"
    total = sum(_CREDIT_CHARS.index(ch) * w for ch, w in zip(body, _CREDIT_WEIGHTS, strict=True))
    return body + _CREDIT_CHARS[(31 - total % 31) % 31]


def birth_date(rng: random.Random, today: dt.date, min_age: int = 24, max_age: int = 58) -> dt.date:
    """A birth date giving an age between ``min_age`` and ``max_age`` on ``today``."""
    start = today.replace(year=today.year - max_age, month=1, day=1)
    end = today.replace(year=today.year - min_age, month=1, day=1)
    return start + dt.timedelta(days=rng.randrange((end - start).days))


def fingerprint(rng: random.Random) -> str:
    """A machine fingerprint as the license client reports it (128 bits, hex)."""
    return f"{rng.getrandbits(128):032X}"


def machine_name(rng: random.Random, n: int) -> str:
    """A Windows computer name as offices leave them, or a department-style name."""
    if rng.random() < 0.5:
        return "DESKTOP-" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(7))
    return f"{rng.choice(('CW', 'XS', 'CK', 'MD', 'BG', 'KF'))}-PC{n:02d}"


def serial(rng: random.Random, product_code: str) -> str:
    """A license serial number like ZY-ERP-7K3Q-M9XD-2HPL."""
    chars = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: people read these aloud on the phone
    groups = ["".join(rng.choice(chars) for _ in range(4)) for _ in range(3)]
    return f"ZY-{product_code}-" + "-".join(groups)


# --- business texts: what the vendor sells and what people write in the CRM ---------------------------

# (code, name, what it does); the code goes into serial numbers and backup file names.
PRODUCTS = {
    "ERP": ("智云ERP企业管理系统", "覆盖采购、销售、库存、财务的一体化企业管理软件"),
    "CRM": ("智云CRM客户关系管理系统", "客户、商机、合同与回款的全过程管理"),
    "POS": ("智云门店收银系统", "连锁门店收银、会员与营销管理"),
    "WMS": ("智云WMS仓储管理系统", "入库、出库、盘点与库位管理"),
    "MES": ("智云MES生产执行系统", "生产排程、工单报工与质量追溯"),
    "OA": ("智云OA协同办公平台", "审批流程、公文管理与移动办公"),
    "HR": ("智云HR人力资源系统", "组织人事、考勤与薪资核算"),
    "EDU": ("智云教务管理平台", "排课、学籍与成绩管理"),
    "HIS": ("智云诊所管理系统", "挂号、电子病历与药房管理"),
}
PRODUCTS_BY_INDUSTRY = {
    "retail": ("POS", "ERP", "CRM"), "manufacturing": ("MES", "ERP", "WMS"), "logistics": ("WMS", "ERP"),
    "education": ("EDU", "OA"), "healthcare": ("HIS", "OA"), "catering": ("POS", "CRM"),
    "finance": ("CRM", "OA"), "government": ("OA", "HR"), "it": ("CRM", "OA", "HR"), "real_estate": ("CRM", "OA"),
}
CUSTOMISATIONS = ("对接用友U8财务接口", "对接金蝶云星空凭证接口", "增加多级审批流程", "报表按区域与门店汇总",
                  "增加微信小程序下单", "对接钉钉组织架构与单点登录", "对接企业微信消息推送", "增加条码枪批量入库",
                  "打印模板按客户格式定制", "增加经营数据大屏", "对接税控开票接口", "对接物流轨迹查询",
                  "增加会员积分规则", "支持多组织多账套")
CUSTOMER_NOTES = ("年营业额约2亿元，计划明年新开20家门店", "集团下属3家子公司，决策周期较长", "老板亲自参与选型，重视数据安全",
                  "由合作伙伴转介绍", "现有系统为自研，维护困难", "预算已批复，计划年内上线")
POSITIONS_LEAD = ("总经理", "副总经理", "IT经理", "信息部主管", "采购经理", "运营总监")
POSITIONS = ("财务总监", "财务主管", "行政主管", "门店经理", "仓储主管", "技术负责人", "人事经理", "项目经理")
FOLLOWUP_EARLY = ("首次电话沟通，客户目前用Excel管理业务数据，存在多部门数据不同步的问题",
                  "客户在展会上留下联系方式，电话回访确认有采购意向", "发送产品介绍资料及同行业成功案例",
                  "与IT负责人沟通现有系统架构和数据量", "客户通过官网咨询，已初步了解需求")
FOLLOWUP_MID = ("上门演示系统功能，客户对报表模块较感兴趣", "提交初步报价方案，客户反馈价格偏高，需要内部讨论",
                "安排技术交流会，解答数据迁移问题", "客户要求试用两周，已开通试用账号", "与采购部门确认合同条款")
FOLLOWUP_WON = ("合同已签订，安排实施团队进场", "回访上线情况，客户反馈操作流畅", "催收第二期款项，财务承诺月底前支付",
                "年度回访，了解二期需求", "组织关键用户培训，反馈良好")
FOLLOWUP_LOST = ("客户选择了其他厂商，主要原因是预算有限", "多次联系未果，暂停跟进", "客户业务调整，项目暂缓")
NEXT_STEPS = ("发送正式报价单", "安排产品演示", "跟进试用反馈", "确认合同条款", "催收尾款", "安排上门培训",
              "回访系统使用情况", "提交二期需求方案", "邀请参加新品发布会")
NEEDS = {
    "consulting": ("咨询系统是否支持多门店库存调拨", "了解移动端审批功能及价格", "询问历史数据能否从旧系统导入"),
    "support": ("月末结账时报表导出速度慢", "新员工账号权限配置咨询", "服务器迁移后需要重新激活授权"),
    "customization": ("希望增加与电商平台的订单同步", "定制符合集团格式的财务报表", "需要对接自有会员小程序"),
}
SOLUTIONS = ("已提供导入模板并协助完成数据迁移", "优化报表查询，导出时间由3分钟降至20秒", "已纳入V3.3版本开发计划",
             "远程协助完成权限配置", "已出具定制方案和报价")
TICKETS = {
    "complaint": ("收银高峰期打印小票卡顿，偶发重复打印", "登录后首页加载超过10秒", "月末结账报表金额与明细不一致",
                  "升级后条码枪无法识别部分商品条码", "审批提交后审批人收不到消息提醒", "导出Excel时中文文件名乱码",
                  "库存数量出现负数", "会员积分未正确累计"),
    "suggestion": ("建议客户列表增加按区域筛选", "希望报表支持按周汇总", "建议增加批量打印功能", "希望移动端支持离线盘点"),
    "praise": ("实施工程师响应及时，问题当天解决，特此表扬", "培训讲解细致，门店员工很快上手",
               "系统上线后效率明显提升，感谢团队支持"),
}
TICKET_NOTES = ("已远程连接客户服务器查看日志", "已复现问题，初步定位为打印驱动兼容性问题", "已联系客户确认操作步骤",
                "已提交研发排查", "已发布补丁，等待客户验证")
RESULTS = {
    "complaint": ("更新打印驱动并调整缓存设置后恢复正常", "优化首页查询语句，加载时间降至2秒以内",
                  "修正结账报表汇总规则并重新生成报表",
                  "发布V3.2.2补丁修复条码识别问题", "调整消息推送配置后恢复正常"),
    "suggestion": ("已记录建议并纳入产品需求池", "已在V3.3版本中实现，升级后可用"),
    "praise": ("已转达团队，感谢客户认可",),
}
STORES = ("旗舰店", "一店", "二店", "营业部", "分店")
DEPARTMENTS = ("财务部", "信息中心", "仓储部", "生产部", "行政部", "人事部")
