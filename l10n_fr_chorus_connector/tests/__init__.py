from . import test_company_config
from . import test_partner_sync
from . import test_security
