from . import chorus_partner_service
from . import chorus_supplier_structure
from . import res_company
from . import res_config_settings
from . import res_partner
from . import res_partner_bank
