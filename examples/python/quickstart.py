#!/usr/bin/env python3
"""libcrm from Python in one page: open a SQLite file, migrate, create an admin, log in, add a lead
and an activity, list. Run it with the build's wheel installed (bindings/python/README.md):

    .venv/bin/python examples/python/quickstart.py [crm.db]

or straight from a build:

    CRM_LIBRARY=build/libcrm.so PYTHONPATH=bindings/python python3 examples/python/quickstart.py [crm.db]
"""

import os
import secrets
import sys

import crm

path = sys.argv[1] if len(sys.argv) > 1 else "quickstart.db"
# Access tokens are signed with this key (at least 32 bytes). Keep a real one secret and stable:
# tokens signed with another key are refused.
secret = os.environ.get("CRM_JWT_SECRET") or secrets.token_urlsafe(32)

with crm.Database.open(f"sqlite:{path}", jwt_secret=secret) as db:
    db.migrate()  # creates or upgrades the schema; a no-op when it is current

    # The system principal is the host application itself: it may create the first admin.
    system = crm.Principal.system()
    try:
        db.create_user(system, "admin@example.com", "change me, please", name="Admin", role=crm.Role.ADMIN)
    except crm.Conflict:
        pass  # created by an earlier run

    # A user logs in and acts through the principal their access token stands for.
    login = db.login("admin@example.com", "change me, please")
    admin = db.authenticate(login.access_token)
    print(f"logged in as {login.user.name} <{login.user.email}>, {login.user.role.value}")

    lead = db.create_lead(admin, "ACME Corp", description="Wants 40 seats", source="website",
                          metadata={"seats": 40, "tags": ["enterprise"]})
    db.create_activity(admin, lead.id, crm.ActivityType.CALL, body="Intro call, follow up Friday")
    lead = db.update_lead(admin, lead.id, status=crm.LeadStatus.CONTACTED)

    # Lists are paginated: Page.items, .page, .limit, .total, .total_pages.
    leads = db.list_leads(admin, status=crm.LeadStatus.CONTACTED, sort="-createdAt", limit=10)
    print(f"{leads.total} contacted lead(s):")
    for item in leads:
        print(f"  {item.title} [{item.status.value}] {item.metadata} created {item.created_at:%Y-%m-%d %H:%M} UTC")
        for activity in db.list_activities(admin, item.id):
            print(f"    {activity.type.value}: {activity.body}")

    try:
        db.get_lead(admin, "00000000-0000-0000-0000-000000000000")
    except crm.NotFound as e:  # errors are exceptions: NotFound is also a KeyError
        print(f"as expected: {e}")
