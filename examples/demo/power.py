"""Source ``gz-power-outage-notices``: planned outage notices (停电通知) from the grid operator.

Its grant has expired, so the pipeline must refuse to read it; the file exists so that the refusal
is about the authorisation, not a missing file.
"""

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from examples.demo.template import expand

SOURCE_ID = "gz-power-outage-notices"
N_NOTICES = 150
_BUREAUS = (
    ("贵阳", ("南明区", "云岩区", "花溪区", "乌当区", "白云区", "观山湖区", "清镇市", "修文县", "开阳县")),
    ("遵义", ("红花岗区", "汇川区", "播州区", "桐梓县", "湄潭县", "仁怀市", "习水县")),
    ("安顺", ("西秀区", "平坝区", "普定县", "镇宁县", "关岭县")),
    ("毕节", ("七星关区", "大方县", "织金县", "威宁县", "赫章县")),
    ("黔东南", ("凯里市", "雷山县", "镇远县", "黎平县", "从江县", "榕江县")),
    ("黔南", ("都匀市", "荔波县", "平塘县", "独山县", "龙里县")),
    ("铜仁", ("碧江区", "万山区", "江口县", "思南县", "松桃县")),
    ("兴义", ("兴义市", "兴仁市", "安龙县", "贞丰县")),
    ("六盘水", ("钟山区", "水城区", "盘州市", "六枝特区")),
)
_TOWNS = ("城关镇", "新华街道", "龙井村", "石板镇", "青岩镇", "高坡乡", "坝上村", "中坝村", "大寨村", "新寨村", "羊场镇",
          "马场镇", "小河街道", "金钟村", "双龙镇", "茶园村", "平寨村", "河坝村", "松林村", "丰收村")  # fmt: skip
_LINE_NAMES = ("团结", "新民", "龙井", "石门", "清水", "丰收", "红星", "和平", "金山", "青龙", "白岩", "大坪", "长坡", "沙坝",
               "茶山", "凤凰", "兴隆", "光明", "安定", "永安")  # fmt: skip
_WORKS = ("线路检修", "设备消缺", "配网改造", "杆塔迁移", "树障清理", "新设备接入", "变压器更换", "农网升级改造", "开关柜更换",
          "线路迁改配合市政施工")  # fmt: skip
_BODY = (
    "[因|为配合]{work}[工作需要|需要]，[我局|我公司]定于{day}{start}至{end}对{line}[进行|实施]停电{work_short}。"
    "停电范围：{area}。[请|敬请]相关用户[提前|]做好停电准备，[停电期间|作业期间][请勿|严禁][靠近|攀登]线路设备。"
    "[如遇|若遇][雨雪|恶劣]天气，停电时间[可能|将][顺延|调整]，[恢复送电时间|送电时间]以现场[工作|作业]结束为准。"
    "[咨询|服务]电话95598。",
    "[尊敬的|各位]用户：为[保障|提高]{area_short}[供电可靠性|用电安全]，{bureau}供电局将于{day}{start}至{end}"
    "[对|在]{line}[开展|进行]{work}，[届时|期间]以下区域将停电：{area}。[给您带来的不便|由此带来的不便]，[敬请谅解|我们深表歉意]。"
    "[如有疑问|如需咨询][请|可]拨打95598。",
    "停电时间：{day}{start}—{end}\n停电线路：{line}\n停电原因：{work}\n停电范围：{area}\n"
    "[温馨提示|提示]：[请|请各位用户][提前|预先][储水|安排好生产生活]，[电梯|医疗设备]用户[请|须][做好应急准备|提前准备备用电源]。"
    "[服务热线|客服热线]95598。",
)


def build(root: Path, rng: random.Random) -> dict[str, Any]:
    """Write ``data/power/notices-2026.jsonl`` under ``root`` and return its truth."""
    folder = root / "data" / "power"
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for n in range(1, N_NOTICES + 1):
        bureau, counties = rng.choice(_BUREAUS)
        county = rng.choice(counties)
        issued = date(2026, 1, 5) + timedelta(days=rng.randrange(320))
        day = issued + timedelta(days=rng.randint(2, 7))
        start = rng.choice((7, 8, 8, 9))
        line = f"{rng.choice(('10kV', '10kV', '35kV'))}{rng.choice(_LINE_NAMES)}{rng.choice(('线', 'Ⅰ回线', 'Ⅱ回线'))}"
        towns = rng.sample(_TOWNS, rng.randint(1, 3))
        areas = "、".join(f"{county}{t}{rng.choice(('', '部分区域', f'{rng.randint(1, 12)}号台区'))}" for t in towns)
        work = rng.choice(_WORKS)
        ctx = {
            "work": work, "work_short": work[-2:], "bureau": bureau, "line": line, "area": areas,
            "area_short": county, "day": f"{day.year}年{day.month}月{day.day}日", "start": f"{start}:00",
            "end": f"{start + rng.randint(3, 10)}:{rng.choice(('00', '30'))}",
        }  # fmt: skip
        notice_id = f"GZPG-2026-{n:04d}"
        lines.append({
            "notice_id": notice_id,
            "title": f"{bureau}供电局关于{county}部分区域{day.month}月{day.day}日计划停电的通知",
            "body": expand(rng.choice(_BODY), ctx, rng),
            "issued_at": f"{issued.isoformat()}T{rng.randint(8, 17):02d}:{rng.randrange(60):02d}:00+08:00",
            "url": f"https://www.gz.csg.example.cn/tdgg/2026/{notice_id}.html",
        })  # fmt: skip
    (folder / "notices-2026.jsonl").write_bytes(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode()
    )
    return {"source_id": SOURCE_ID, "file": "notices-2026.jsonl", "n_records": len(lines), "grant_expired": True}
