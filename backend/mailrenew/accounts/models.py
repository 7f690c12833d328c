from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Language(StrEnum):
    FR = "fr"
    EN = "en"


class Role(StrEnum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    BILLING = "BILLING"
    MEMBER = "MEMBER"


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    display_name = fields.CharField(max_length=120)
    language = fields.CharEnumField(Language, max_length=2, default=Language.EN)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    memberships: fields.ReverseRelation[Membership]

    class Meta:
        table = "users"


class Organization(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "organizations"


class Membership(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "mailrenew.User", related_name="memberships", on_delete=fields.CASCADE
    )
    user_id: int
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "mailrenew.Organization", related_name="memberships", on_delete=fields.CASCADE
    )
    organization_id: int
    role = fields.CharEnumField(Role, max_length=10)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "memberships"
        unique_together = (("user", "organization"),)


class AccessToken(Model):
    """A personal access token, only its SHA-256 digest is stored, and the token is shown once."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "mailrenew.User", related_name="tokens", on_delete=fields.CASCADE
    )
    user_id: int
    name = fields.CharField(max_length=100)
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "access_tokens"


class UserSession(Model):
    """A console sign-in, the cookie carries a signed random key whose digest is stored here."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "mailrenew.User", related_name="sessions", on_delete=fields.CASCADE
    )
    user_id: int
    key_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "user_sessions"


class LoginAttempt(Model):
    """Every sign-in attempt, to rate-limit failures per account and per IP across processes."""

    id = fields.BigIntField(primary_key=True)
    email = fields.CharField(max_length=254, db_index=True)
    ip = fields.CharField(max_length=64, db_index=True)
    succeeded = fields.BooleanField()
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "login_attempts"
