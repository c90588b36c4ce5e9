"""The columns of the call-record and transcript exchange files, with the header spellings
Chinese call platforms use for them."""

from __future__ import annotations

from seci.core.tabular import Columns

OUTCOME_FIELDS = ("resolved_first_contact", "satisfaction", "complaint", "complaint_category",
                  "repeat_within_7d")

CALL_COLUMNS = Columns(
    names=("call_id", "agent_id", "team", "queue", "started_at", "duration_s", "region",
           "product", "channel", "turns", "outcome", *OUTCOME_FIELDS),
    aliases={
        "通话id": "call_id", "通话编号": "call_id", "呼叫id": "call_id", "流水号": "call_id",
        "呼叫流水号": "call_id",
        "坐席工号": "agent_id", "座席工号": "agent_id", "工号": "agent_id", "坐席id": "agent_id",
        "班组": "team", "团队": "team", "组别": "team",
        "队列": "queue", "技能组": "queue",
        "开始时间": "started_at", "通话开始时间": "started_at", "呼入时间": "started_at",
        "通话时长": "duration_s", "时长": "duration_s", "通话时长(秒)": "duration_s",
        "通话时长（秒）": "duration_s", "时长(秒)": "duration_s", "时长（秒）": "duration_s",
        "地区": "region", "区域": "region", "区县": "region",
        "业务": "product", "产品": "product", "业务类型": "product", "来电业务": "product",
        "话题": "product", "topic": "product",
        "渠道": "channel",
        "对话": "turns", "转写": "turns",
        "一次解决": "resolved_first_contact", "首次解决": "resolved_first_contact",
        "是否一次解决": "resolved_first_contact", "fcr": "resolved_first_contact",
        "满意度": "satisfaction", "满意度评分": "satisfaction",
        "投诉": "complaint", "是否投诉": "complaint",
        "投诉类别": "complaint_category", "投诉分类": "complaint_category",
        "投诉类型": "complaint_category",
        "七天重复来电": "repeat_within_7d", "7天重复来电": "repeat_within_7d",
        "7天内重复来电": "repeat_within_7d", "重复来电": "repeat_within_7d",
        "repeat_7d": "repeat_within_7d",
    },
    # The outcome's flags are required too: either inside "outcome" (JSONL) or as columns.
    required=("call_id", "agent_id", "team", "queue", "started_at", "duration_s", "region",
              "product"),
)

TRANSCRIPT_COLUMNS = Columns(
    names=("call_id", "turns", "speaker", "text", "start_ms"),
    aliases={"通话id": "call_id", "通话编号": "call_id", "呼叫id": "call_id",
             "流水号": "call_id", "对话": "turns", "转写": "turns", "说话人": "speaker",
             "角色": "speaker", "内容": "text", "文本": "text", "开始毫秒": "start_ms"},
    required=("call_id",),
)

# CSV and xlsx exports are flat: no turns (they come in a transcript file), and the
# outcome's yes/no columns must be there.
FLAT_CALL_COLUMNS = Columns(
    names=tuple(n for n in CALL_COLUMNS.names if n not in {"turns", "outcome"}),
    aliases=CALL_COLUMNS.aliases,
    required=(*CALL_COLUMNS.required, "resolved_first_contact", "complaint",
              "repeat_within_7d"),
)

# One made-up call for the import template (CSV and xlsx are flat: the outcome's flags are
# columns, the transcript comes in its own JSONL file).
CALL_TEMPLATE_EXAMPLE: dict[str, str] = {
    "call_id": "C202601050001", "agent_id": "1001", "team": "A组", "queue": "A",
    "started_at": "2026-01-05 09:15", "duration_s": "312", "region": "城区",
    "product": "话费查询", "channel": "voice", "resolved_first_contact": "是",
    "satisfaction": "5", "complaint": "否", "complaint_category": "",
    "repeat_within_7d": "否",
}
