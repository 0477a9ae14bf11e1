"""The platform's accounts, channels and content: written by the platform, read (audited) by staff."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from poise.api.deps import DbSession, requires
from poise.api.pagination import Page, PageParams, paginate
from poise.api.schemas import AccountIn, AccountOut, ChannelIn, ChannelOut, ContentIn, ContentOut, MediaOut
from poise.audit import record
from poise.auth.principal import Principal
from poise.auth.roles import STAFF, Role
from poise.platform.service import read_audited, upsert_account, upsert_channel, upsert_content
from poise.store.models import Channel, ContentItem, MediaItem, PlatformAccount

router = APIRouter(prefix="/api/v1", tags=["platform"])
WRITERS = (Role.PLATFORM, Role.ADMIN)


@router.put("/accounts", response_model=AccountOut, summary="Create or update an account by external id")
def put_account(body: AccountIn, session: DbSession, principal: Principal = requires(WRITERS)) -> AccountOut:
    data = body.model_dump(exclude={"external_id"})
    return AccountOut.model_validate(upsert_account(session, body.external_id, **data))


@router.get("/accounts", response_model=Page[AccountOut], summary="List accounts (audited)")
def list_accounts(session: DbSession, page: PageParams = Depends(),
                  status: str | None = Query(None, max_length=20),
                  principal: Principal = requires(STAFF)) -> Page[AccountOut]:
    stmt = select(PlatformAccount)
    if status:
        stmt = stmt.where(PlatformAccount.status == status)
    result = paginate(session, stmt, PlatformAccount.id, page, AccountOut.model_validate)
    record(session, principal.actor, principal.role.value, "read.platform_accounts.list", "platform_accounts",
           None, count=len(result.items), ids=[a.id for a in result.items])
    return result


@router.get("/accounts/{account_id}", response_model=AccountOut, summary="One account (audited)")
def get_account(account_id: str, session: DbSession, principal: Principal = requires(STAFF)) -> AccountOut:
    return AccountOut.model_validate(read_audited(session, PlatformAccount, account_id, principal, "api"))


@router.put("/channels", response_model=ChannelOut, summary="Create or update a channel or group")
def put_channel(body: ChannelIn, session: DbSession, principal: Principal = requires(WRITERS)) -> ChannelOut:
    data = body.model_dump(exclude={"external_id"})
    return ChannelOut.model_validate(upsert_channel(session, body.external_id, **data))


@router.get("/channels", response_model=Page[ChannelOut], summary="List channels and groups")
def list_channels(session: DbSession, page: PageParams = Depends(),
                  status: str | None = Query(None, max_length=20),
                  principal: Principal = requires(STAFF)) -> Page[ChannelOut]:
    stmt = select(Channel)
    if status:
        stmt = stmt.where(Channel.status == status)
    return paginate(session, stmt, Channel.id, page, ChannelOut.model_validate)


@router.get("/channels/{channel_id}", response_model=ChannelOut, summary="One channel (audited)")
def get_channel(channel_id: str, session: DbSession, principal: Principal = requires(STAFF)) -> ChannelOut:
    return ChannelOut.model_validate(read_audited(session, Channel, channel_id, principal, "api"))


@router.put("/content", response_model=ContentOut, summary="Create or update a content item")
def put_content(body: ContentIn, session: DbSession, principal: Principal = requires(WRITERS)) -> ContentOut:
    data = body.model_dump(exclude={"external_id"})
    return ContentOut.model_validate(upsert_content(session, body.external_id, **data))


@router.get("/content", response_model=Page[ContentOut], summary="List content items (audited)")
def list_content(session: DbSession, page: PageParams = Depends(),
                 channel_id: str | None = Query(None, max_length=36),
                 status: str | None = Query(None, max_length=20),
                 principal: Principal = requires(STAFF)) -> Page[ContentOut]:
    stmt = select(ContentItem)
    if channel_id:
        stmt = stmt.where(ContentItem.channel_id == channel_id)
    if status:
        stmt = stmt.where(ContentItem.status == status)
    result = paginate(session, stmt, ContentItem.id, page, ContentOut.model_validate)
    record(session, principal.actor, principal.role.value, "read.content_items.list", "content_items", None,
           count=len(result.items), ids=[c.id for c in result.items])
    return result


@router.get("/content/{content_id}", response_model=ContentOut, summary="One content item (audited)")
def get_content(content_id: str, session: DbSession, principal: Principal = requires(STAFF)) -> ContentOut:
    return ContentOut.model_validate(read_audited(session, ContentItem, content_id, principal, "api"))


@router.get("/content/{content_id}/media", response_model=list[MediaOut], summary="Media hashes of an item")
def get_content_media(content_id: str, session: DbSession,
                      principal: Principal = requires(STAFF)) -> list[MediaOut]:
    read_audited(session, ContentItem, content_id, principal, "api.media")
    rows = session.execute(select(MediaItem).where(MediaItem.content_id == content_id)).scalars().all()
    return [MediaOut.model_validate(m) for m in rows]
