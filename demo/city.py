"""The people and places of the demo city: Shanghai districts with real coordinates, Chinese
and English names, and addresses written either way, all drawn from one seeded generator so
that a seed always makes the same city."""

from __future__ import annotations

import random
from dataclasses import dataclass

EMAIL_DOMAIN = "demo.fixhub.example"  # .example is reserved (RFC 2606): never a real inbox


@dataclass(frozen=True)
class District:
    chinese: str
    english: str
    lat: float  # the district's centre
    lng: float
    streets: tuple[tuple[str, str], ...]  # (Chinese, English)


DISTRICTS = (
    District(
        "徐汇区",
        "Xuhui District",
        31.1885,
        121.4365,
        (
            ("衡山路", "Hengshan Road"),
            ("漕溪北路", "North Caoxi Road"),
            ("天钥桥路", "Tianyaoqiao Road"),
        ),
    ),
    District(
        "静安区",
        "Jing'an District",
        31.2286,
        121.4481,
        (
            ("南京西路", "West Nanjing Road"),
            ("延安中路", "Middle Yan'an Road"),
            ("武定路", "Wuding Road"),
        ),
    ),
    District(
        "黄浦区",
        "Huangpu District",
        31.2317,
        121.4846,
        (
            ("淮海中路", "Middle Huaihai Road"),
            ("复兴中路", "Middle Fuxing Road"),
            ("西藏南路", "South Xizang Road"),
        ),
    ),
    District(
        "长宁区",
        "Changning District",
        31.2204,
        121.4246,
        (("愚园路", "Yuyuan Road"), ("天山路", "Tianshan Road"), ("虹桥路", "Hongqiao Road")),
    ),
    District(
        "浦东新区",
        "Pudong New Area",
        31.2215,
        121.5447,
        (("世纪大道", "Century Avenue"), ("张杨路", "Zhangyang Road"), ("锦绣路", "Jinxiu Road")),
    ),
    District(
        "杨浦区",
        "Yangpu District",
        31.2595,
        121.5260,
        (("四平路", "Siping Road"), ("国定路", "Guoding Road"), ("黄兴路", "Huangxing Road")),
    ),
    District(
        "虹口区",
        "Hongkou District",
        31.2646,
        121.5050,
        (("四川北路", "North Sichuan Road"), ("大连路", "Dalian Road"), ("曲阳路", "Quyang Road")),
    ),
    District(
        "普陀区",
        "Putuo District",
        31.2494,
        121.3972,
        (("长寿路", "Changshou Road"), ("曹杨路", "Caoyang Road"), ("真北路", "Zhenbei Road")),
    ),
)

SURNAMES = (
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("黄", "Huang"),
    ("赵", "Zhao"),
    ("吴", "Wu"),
    ("周", "Zhou"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("朱", "Zhu"),
    ("胡", "Hu"),
    ("郭", "Guo"),
    ("林", "Lin"),
    ("高", "Gao"),
    ("罗", "Luo"),
)
GIVEN_NAMES = (
    ("芳", "Fang"),
    ("伟", "Wei"),
    ("娜", "Na"),
    ("敏", "Min"),
    ("静", "Jing"),
    ("强", "Qiang"),
    ("磊", "Lei"),
    ("艳", "Yan"),
    ("军", "Jun"),
    ("杰", "Jie"),
    ("涛", "Tao"),
    ("明", "Ming"),
    ("秀英", "Xiuying"),
    ("俊杰", "Junjie"),
    ("子涵", "Zihan"),
    ("浩然", "Haoran"),
    ("雨桐", "Yutong"),
    ("思远", "Siyuan"),
    ("晓东", "Xiaodong"),
    ("佳怡", "Jiayi"),
)
# Shanghai has a large foreign community; some customers sign up under their English names.
ENGLISH_NAMES = (
    "Emily Carter",
    "James Wilson",
    "Sophie Martin",
    "Daniel Kim",
    "Olivia Brown",
    "Lucas Moreau",
    "Hannah Schmidt",
    "Ryan O'Connor",
)


@dataclass(frozen=True)
class Person:
    display_name: str  # as shown in the app: "王芳 Wang Fang", "王芳", "Wang Fang" or English
    email_local: str  # "wang.fang"


@dataclass(frozen=True)
class Place:
    district: District
    lat: float
    lng: float
    address: str  # Chinese or English, as the person typed it


class City:
    """Draws people and places; the same seed always draws the same ones."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self._emails: set[str] = set()

    def person(self, *, english_share: float = 0.15) -> Person:
        if self.random.random() < english_share:
            name = self.random.choice(ENGLISH_NAMES)
            return Person(name, name.lower().replace("'", "").replace(" ", "."))
        surname, surname_pinyin = self.random.choice(SURNAMES)
        given, given_pinyin = self.random.choice(GIVEN_NAMES)
        chinese, pinyin = surname + given, f"{surname_pinyin} {given_pinyin}"
        display = self.random.choice((f"{chinese} {pinyin}", chinese, pinyin))
        return Person(display, f"{surname_pinyin}.{given_pinyin}".lower())

    def email(self, local: str) -> str:
        """A unique address of the demo domain for `local` (wang.fang, wang.fang2, ...)."""
        candidate, n = local, 1
        while f"{candidate}@{EMAIL_DOMAIN}" in self._emails:
            n += 1
            candidate = f"{local}{n}"
        self._emails.add(f"{candidate}@{EMAIL_DOMAIN}")
        return f"{candidate}@{EMAIL_DOMAIN}"

    def district(self, index: int | None = None) -> District:
        if index is None:
            return self.random.choice(DISTRICTS)
        return DISTRICTS[index % len(DISTRICTS)]

    def place(self, district: District | None = None) -> Place:
        """A flat in `district`, within about 1.5 km of its centre."""
        district = district or self.district()
        lat = round(district.lat + self.random.uniform(-0.013, 0.013), 5)
        lng = round(district.lng + self.random.uniform(-0.015, 0.015), 5)
        street_zh, street_en = self.random.choice(district.streets)
        number = self.random.randint(1, 999)
        building = self.random.randint(1, 30)
        room = self.random.randint(1, 32) * 100 + self.random.randint(1, 4)
        if self.random.random() < 0.5:
            address = f"上海市{district.chinese}{street_zh}{number}弄{building}号{room}室"
        else:
            address = (
                f"Room {room}, No. {building}, Lane {number}, {street_en}, "
                f"{district.english}, Shanghai"
            )
        return Place(district, lat, lng, address)
