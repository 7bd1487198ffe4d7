# Chinese text keeps its full-width punctuation on purpose.
# ruff: noqa: RUF001
"""What the people of the demo write: job requests per category, workers' bios, quotes,
messages and reviews, in Chinese, English or both, as people in Shanghai write them."""

from __future__ import annotations

CATEGORIES = (
    "PIPES",
    "WATER_ELECTRICAL",
    "WALLS_FLOORS",
    "DOORS_WINDOWS",
    "CLEANING",
    "APPLIANCES",
)

# (title, description, typical price in cents)
JOBS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "PIPES": (
        (
            "厨房水槽下漏水 / Leak under the kitchen sink",
            "水槽下方接头一直滴水，柜子底板已经泡软了。",
            25_000,
        ),
        (
            "Blocked bathroom floor drain",
            "Water stands in the shower for ten minutes after use.",
            18_000,
        ),
        ("更换阳台老化水管", "阳台洗衣机进水管老化开裂，想整段换成PPR管。", 42_000),
    ),
    "WATER_ELECTRICAL": (
        (
            "Bedroom sockets have no power",
            "Two sockets in the main bedroom died after a storm.",
            30_000,
        ),
        ("客厅吊灯更换并加装双控开关", "想把客厅吊灯换成吸顶灯，门口和沙发旁各一个开关。", 38_000),
        (
            "热水器一开就跳闸 / Water heater trips the breaker",
            "Electric water heater, 60 L.",
            26_000,
        ),
    ),
    "WALLS_FLOORS": (
        ("卫生间地砖重新勾缝", "地砖缝发黑，部分脱落，约6平方米。", 45_000),
        (
            "Damp, mouldy wall in the north bedroom",
            "Paint is peeling; needs scraping and repainting.",
            120_000,
        ),
        (
            "Creaking wooden floorboards in the hallway",
            "About 4 m of engineered oak, 8 years old.",
            55_000,
        ),
    ),
    "DOORS_WINDOWS": (
        ("阳台推拉门卡住 / Sliding balcony door sticks", "推拉门滑轮可能坏了，很难推动。", 22_000),
        ("Replace broken window latch", "Living-room casement window will not lock.", 12_000),
        ("入户门换智能锁", "想把入户门的机械锁换成指纹锁，锁已经买好。", 20_000),
    ),
    "CLEANING": (
        (
            "Deep clean after moving out",
            "Two-bedroom flat, 75 m2, landlord inspection on Friday.",
            60_000,
        ),
        ("开荒保洁，90平米", "刚装修完，需要全屋开荒保洁，包括玻璃。", 90_000),
        ("油烟机和厨房深度清洁", "抽油烟机五年没洗过了。", 35_000),
    ),
    "APPLIANCES": (
        (
            "洗衣机不排水 / Washing machine won't drain",
            "Drum washer stops mid-cycle with water inside.",
            20_000,
        ),
        ("空调不制冷，可能需要加氟", "卧室挂机开了半小时还是不凉。", 28_000),
        ("Fridge makes a loud buzzing noise", "Started last week; food still cold.", 24_000),
    ),
}

BIOS: dict[str, str] = {
    "PIPES": "十五年水管维修经验，持证上岗。Pipes, drains and leaks, same-day visits.",
    "WATER_ELECTRICAL": "Licensed electrician. 电路改造、开关插座、热水器安装。",
    "WALLS_FLOORS": "泥瓦匠，擅长瓷砖、勾缝、墙面翻新。Tiling and wall repair.",
    "DOORS_WINDOWS": "Doors, windows and locks. 门窗五金、智能锁安装。",
    "CLEANING": "专业保洁团队，自带工具。Move-out and post-renovation cleaning.",
    "APPLIANCES": "家电维修：空调、洗衣机、冰箱。Appliance repair, most brands.",
}

QUOTE_MESSAGES = (
    "明天下午可以上门看看。",
    "I can come tomorrow morning; price includes parts.",
    "含材料费，保修一年。",
    "Available this weekend. 周末有空。",
    "先上门检查，确认后再报最终价格。",
)

QUESTIONS = (
    ("请问需要我提前准备什么吗？", "不用，工具和材料我都带。"),
    ("Can you come before 6 pm?", "Yes, 4 pm works for me."),
    ("价格包括上门费吗？", "包括的，没有额外费用。"),
    ("Do you need access to the fuse box?", "Yes please, it's usually by the front door."),
)

HIRED_MESSAGES = (
    "收到，我按约定时间到。",
    "Thanks for choosing me, see you then!",
    "好的，到之前会给您打电话。",
)

REVIEWS = (
    (5, "师傅很专业，准时到，活干得干净。"),
    (5, "Fixed it in under an hour, very tidy."),
    (4, "Good work, arrived a little late."),
    (4, "整体满意，价格公道。"),
    (3, "修好了，但是沟通有点慢。"),
)

REPLIES = (
    "谢谢您的好评！",
    "Thank you, glad it works again.",
    "感谢反馈，下次一定提前通知。",
)

CUSTOMER_REVIEWS = (
    (5, "客户很友好，沟通顺畅。"),
    (5, "Clear instructions and paid promptly."),
    (4, "家里有人配合，很顺利。"),
)

CANCEL_REASONS = (
    "房东说会自己找人修。",
    "Found the part was still under warranty; the brand will send someone.",
    "计划有变，先不修了。",
)
