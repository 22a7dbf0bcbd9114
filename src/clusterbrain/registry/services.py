"""Every write to the registry: validation, permissions, transactions.

CONTRACT (shared by pages, API, CLI and the demo loader where it fits; all raise
errors.InvalidInput naming each field, errors.Forbidden or errors.NotFound, and change nothing
when they raise):

    create_enterprise(user, cluster, data: dict) -> Enterprise
    update_enterprise(user, enterprise, data: dict) -> Enterprise          partial update
    set_role(user, enterprise, *, link_code, product_category="", capacity_per_month, output_per_month=0) -> EnterpriseRole
    remove_role(user, enterprise, role_id) -> None
    add_facility(user, enterprise, data: dict) -> Facility
    add_certification(user, enterprise, data: dict, evidence=None) -> Certification
    record_year(user, enterprise, year: int, data: dict) -> EnterpriseYear  keeps above_designated_size
"""
