"""The version of this package: the libcrm version whose crm.h it wraps (CRM_VERSION_STRING)."""

__version__ = "0.1.0"
