"""Request and response bodies of the knowledge-base API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from seci.core.clock import UtcDateTime

AudienceName = Literal["customer", "internal"]


class ArticleContent(BaseModel):
    title: str = Field(max_length=200, examples=["国际漫游业务开通与资费说明"])
    body: str = Field(default="", description="Markdown. Agent-only parts (sections headed "
                      "话术参考/坐席提示…, lines opening with 【坐席提示】 or 【内部】, lines "
                      "addressed to the agent) never reach customers (docs/import-format.md)")
    customer_answer: str = Field(
        default="", max_length=2000, examples=["出国前发送 KTMY 到 10086 即可开通国际漫游。"],
        description="答复口径: the answer to give a customer, written for them (Markdown). "
                    "The assistant sends it instead of a passage of the body")
    module_id: int
    queues: list[str] = Field(default_factory=list, examples=[["A", "VIP"]],
                              description="Queue codes")
    tags: list[str] = Field(default_factory=list)
    similar_questions: list[str] = Field(default_factory=list,
                                         examples=[["出国了手机还能用不"]])
    audience: AudienceName = "customer"
    valid_from: date | None = None
    valid_to: date | None = None


class ArticleCreate(ArticleContent):
    code: str | None = Field(default=None, max_length=64,
                             description="知识编号; generated (KB-000123) when empty")
    owner_id: int | None = None


class ArticleUpdate(ArticleContent):
    lock_version: int = Field(description="The lock_version the editor started from")
    owner_id: int | None = None


class ContentRead(BaseModel):
    title: str
    body: str
    body_html: str
    customer_answer: str
    module_id: int
    module_path: str
    queues: list[str]
    tags: list[str]
    similar_questions: list[str]
    audience: str
    valid_from: date | None
    valid_to: date | None


class VersionRead(ContentRead):
    version_no: int
    published_at: UtcDateTime
    author: str | None
    approved_by: str | None
    source: str
    change_note: str
    validity: str


class VersionSummary(BaseModel):
    version_no: int
    title: str
    published_at: UtcDateTime
    author: str | None
    approved_by: str | None
    source: str
    change_note: str


class ArticleRead(BaseModel):
    id: int
    code: str
    status: str
    validity: str | None = Field(description="Of the live version today: valid, scheduled, expired")
    owner: str | None
    lock_version: int
    latest_version_no: int
    view_count: int
    helpful_count: int
    unhelpful_count: int
    review_comment: str | None
    live: VersionRead | None = Field(description="What agents see (null if not visible to you)")
    working_copy: ContentRead | None = Field(description="Draft / submission, if you may see it")


class ArticleListItem(BaseModel):
    id: int
    code: str
    title: str
    status: str
    validity: str | None
    module_path: str
    queues: list[str]
    updated_at: UtcDateTime
    valid_to: date | None


class ArticlePage(BaseModel):
    total: int
    items: list[ArticleListItem]


class ReviewDecision(BaseModel):
    decision: Literal["approve", "reject"]
    comment: str = ""
    notify_agents: bool = Field(default=True, description="Push to agents' new-knowledge list")


class RetireRequest(BaseModel):
    reason: str = ""


class RollbackRequest(BaseModel):
    version_no: int


class Segment(BaseModel):
    op: Literal["equal", "insert", "delete"]
    text: str


class FieldDiffRead(BaseModel):
    field: str
    changed: bool
    segments: list[Segment]


class FeedbackCreate(BaseModel):
    kind: Literal["wrong", "outdated", "unclear"]
    comment: str = Field(min_length=1, max_length=2000)


class FeedbackRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    article_id: int
    article_code: str
    article_title: str
    version_no: int
    kind: str
    comment: str
    status: str
    response: str | None
    fixed_version_no: int | None
    created_at: UtcDateTime
    handled_at: UtcDateTime | None


class FeedbackDecision(BaseModel):
    decision: Literal["accept", "decline"]
    response: str = ""


class VoteRequest(BaseModel):
    helpful: bool


class VoteRead(BaseModel):
    helpful_count: int
    unhelpful_count: int
    mine: bool | None


class NewKnowledgeRead(BaseModel):
    article_id: int
    version_id: int
    code: str
    title: str
    version_no: int
    published_at: UtcDateTime
    acknowledged_at: UtcDateTime | None


class CoverageRead(BaseModel):
    article_id: int
    code: str
    title: str
    version_no: int
    expected: int
    acknowledged: int
    missing: list[str]


class ModuleRead(BaseModel):
    id: int
    name: str
    parent_id: int | None
    path: str
    archived: bool
    children: list[ModuleRead] = Field(default_factory=list)


class ModuleCreate(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    parent_id: int | None = None


class ModuleUpdate(BaseModel):
    name: str | None = Field(default=None, max_length=80)
    parent_id: int | None = Field(default=None, description="New parent; use move_to_root")
    move_to_root: bool = False
    archived: bool | None = None


class AttachmentRead(BaseModel):
    """An uploaded image or file; ``markdown`` is what to put into a body to use it."""

    id: int
    filename: str
    content_type: str
    size_bytes: int
    is_image: bool
    url: str
    markdown: str


class SimilarQuestionAdd(BaseModel):
    question: str = Field(min_length=1, max_length=500,
                          description="A caller's wording, e.g. from GET /search/gaps")
