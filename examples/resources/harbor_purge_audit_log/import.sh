# Harbor has one audit-log purge schedule.
terraform import harbor_purge_audit_log.main /system/purgeaudit/schedule
