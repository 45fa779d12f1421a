"""Followup Desk: every prospect leaves a meeting with a booked, specific next step."""

__version__ = "0.1.0"
APP_ID = "com.followupdesk.FollowupDesk"
APP_NAME = "Followup Desk"
