"""Schedule rules: harmonogram, working-day calendar, reminder and alert planning."""

from domain.schedule.alerts import LateAssignment, problem_alert_due_at, staff_alerts_due
from domain.schedule.calendar import WorkCalendar
from domain.schedule.harmonogram import Channel, Harmonogram, HarmonogramError, load_harmonogram
from domain.schedule.messages import MessageKind, PlannedMessage, SentRecord
from domain.schedule.plan import AssignmentFacts, due_now, is_late, late_from, plan_assignment

__all__ = [
    "AssignmentFacts",
    "Channel",
    "Harmonogram",
    "HarmonogramError",
    "LateAssignment",
    "MessageKind",
    "PlannedMessage",
    "SentRecord",
    "WorkCalendar",
    "due_now",
    "is_late",
    "late_from",
    "load_harmonogram",
    "plan_assignment",
    "problem_alert_due_at",
    "staff_alerts_due",
]
