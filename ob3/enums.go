package ob3

import (
	"regexp"
	"slices"
)

// extPattern is the extension rule shared by the extensible vocabularies:
// "ext:" followed by letters, digits, '.', '-' or '_'. It is anchored; the
// 1EdTech schema's pattern is not (see doc.go).
const extPattern = `^ext:[A-Za-z0-9._-]+$`

var extRe = regexp.MustCompile(extPattern)

func isExt(s string) bool { return extRe.MatchString(s) }

// AchievementType is the kind of an Achievement (AchievementType enumeration, extensible).
type AchievementType string

// AchievementType values.
const (
	AchievementTypeAchievement                 AchievementType = "Achievement"
	AchievementTypeApprenticeshipCertificate   AchievementType = "ApprenticeshipCertificate"
	AchievementTypeAssessment                  AchievementType = "Assessment"
	AchievementTypeAssignment                  AchievementType = "Assignment"
	AchievementTypeAssociateDegree             AchievementType = "AssociateDegree"
	AchievementTypeAward                       AchievementType = "Award"
	AchievementTypeBadge                       AchievementType = "Badge"
	AchievementTypeBachelorDegree              AchievementType = "BachelorDegree"
	AchievementTypeCertificate                 AchievementType = "Certificate"
	AchievementTypeCertificateOfCompletion     AchievementType = "CertificateOfCompletion"
	AchievementTypeCertification               AchievementType = "Certification"
	AchievementTypeCommunityService            AchievementType = "CommunityService"
	AchievementTypeCompetency                  AchievementType = "Competency"
	AchievementTypeCourse                      AchievementType = "Course"
	AchievementTypeCoCurricular                AchievementType = "CoCurricular"
	AchievementTypeDegree                      AchievementType = "Degree"
	AchievementTypeDiploma                     AchievementType = "Diploma"
	AchievementTypeDoctoralDegree              AchievementType = "DoctoralDegree"
	AchievementTypeFieldwork                   AchievementType = "Fieldwork"
	AchievementTypeGeneralEducationDevelopment AchievementType = "GeneralEducationDevelopment"
	AchievementTypeJourneymanCertificate       AchievementType = "JourneymanCertificate"
	AchievementTypeLearningProgram             AchievementType = "LearningProgram"
	AchievementTypeLicense                     AchievementType = "License"
	AchievementTypeMembership                  AchievementType = "Membership"
	AchievementTypeProfessionalDoctorate       AchievementType = "ProfessionalDoctorate"
	AchievementTypeQualityAssuranceCredential  AchievementType = "QualityAssuranceCredential"
	AchievementTypeMasterCertificate           AchievementType = "MasterCertificate"
	AchievementTypeMasterDegree                AchievementType = "MasterDegree"
	AchievementTypeMicroCredential             AchievementType = "MicroCredential"
	AchievementTypeResearchDoctorate           AchievementType = "ResearchDoctorate"
	AchievementTypeSecondarySchoolDiploma      AchievementType = "SecondarySchoolDiploma"
)

// AchievementTypes lists every AchievementType defined by the specification, in its order.
func AchievementTypes() []AchievementType {
	return []AchievementType{AchievementTypeAchievement, AchievementTypeApprenticeshipCertificate, AchievementTypeAssessment, AchievementTypeAssignment, AchievementTypeAssociateDegree, AchievementTypeAward, AchievementTypeBadge, AchievementTypeBachelorDegree, AchievementTypeCertificate, AchievementTypeCertificateOfCompletion, AchievementTypeCertification, AchievementTypeCommunityService, AchievementTypeCompetency, AchievementTypeCourse, AchievementTypeCoCurricular, AchievementTypeDegree, AchievementTypeDiploma, AchievementTypeDoctoralDegree, AchievementTypeFieldwork, AchievementTypeGeneralEducationDevelopment, AchievementTypeJourneymanCertificate, AchievementTypeLearningProgram, AchievementTypeLicense, AchievementTypeMembership, AchievementTypeProfessionalDoctorate, AchievementTypeQualityAssuranceCredential, AchievementTypeMasterCertificate, AchievementTypeMasterDegree, AchievementTypeMicroCredential, AchievementTypeResearchDoctorate, AchievementTypeSecondarySchoolDiploma}
}

// Valid reports whether v is a defined value or an "ext:" extension.
func (v AchievementType) Valid() bool {
	return slices.Contains(AchievementTypes(), v) || isExt(string(v))
}

// IdentityType is the kind of identifier in an IdentityObject or IdentifierEntry (IdentifierTypeEnum, extensible).
type IdentityType string

// IdentityType values.
const (
	IdentityTypeName                   IdentityType = "name"
	IdentityTypeSourcedId              IdentityType = "sourcedId"
	IdentityTypeSystemId               IdentityType = "systemId"
	IdentityTypeProductId              IdentityType = "productId"
	IdentityTypeUserName               IdentityType = "userName"
	IdentityTypeAccountId              IdentityType = "accountId"
	IdentityTypeEmailAddress           IdentityType = "emailAddress"
	IdentityTypeNationalIdentityNumber IdentityType = "nationalIdentityNumber"
	IdentityTypeIsbn                   IdentityType = "isbn"
	IdentityTypeIssn                   IdentityType = "issn"
	IdentityTypeLisSourcedId           IdentityType = "lisSourcedId"
	IdentityTypeOneRosterSourcedId     IdentityType = "oneRosterSourcedId"
	IdentityTypeSisSourcedId           IdentityType = "sisSourcedId"
	IdentityTypeLtiContextId           IdentityType = "ltiContextId"
	IdentityTypeLtiDeploymentId        IdentityType = "ltiDeploymentId"
	IdentityTypeLtiToolId              IdentityType = "ltiToolId"
	IdentityTypeLtiPlatformId          IdentityType = "ltiPlatformId"
	IdentityTypeLtiUserId              IdentityType = "ltiUserId"
	IdentityTypeIdentifier             IdentityType = "identifier"
)

// IdentityTypes lists every IdentityType defined by the specification, in its order.
func IdentityTypes() []IdentityType {
	return []IdentityType{IdentityTypeName, IdentityTypeSourcedId, IdentityTypeSystemId, IdentityTypeProductId, IdentityTypeUserName, IdentityTypeAccountId, IdentityTypeEmailAddress, IdentityTypeNationalIdentityNumber, IdentityTypeIsbn, IdentityTypeIssn, IdentityTypeLisSourcedId, IdentityTypeOneRosterSourcedId, IdentityTypeSisSourcedId, IdentityTypeLtiContextId, IdentityTypeLtiDeploymentId, IdentityTypeLtiToolId, IdentityTypeLtiPlatformId, IdentityTypeLtiUserId, IdentityTypeIdentifier}
}

// Valid reports whether v is a defined value or an "ext:" extension.
func (v IdentityType) Valid() bool {
	return slices.Contains(IdentityTypes(), v) || isExt(string(v))
}

// ResultType is the kind of a ResultDescription (ResultType enumeration, extensible).
type ResultType string

// ResultType values.
const (
	ResultTypeGradePointAverage    ResultType = "GradePointAverage"
	ResultTypeLetterGrade          ResultType = "LetterGrade"
	ResultTypePercent              ResultType = "Percent"
	ResultTypePerformanceLevel     ResultType = "PerformanceLevel"
	ResultTypePredictedScore       ResultType = "PredictedScore"
	ResultTypeRawScore             ResultType = "RawScore"
	ResultTypeResult               ResultType = "Result"
	ResultTypeRubricCriterion      ResultType = "RubricCriterion"
	ResultTypeRubricCriterionLevel ResultType = "RubricCriterionLevel"
	ResultTypeRubricScore          ResultType = "RubricScore"
	ResultTypeScaledScore          ResultType = "ScaledScore"
	ResultTypeStatus               ResultType = "Status"
)

// ResultTypes lists every ResultType defined by the specification, in its order.
func ResultTypes() []ResultType {
	return []ResultType{ResultTypeGradePointAverage, ResultTypeLetterGrade, ResultTypePercent, ResultTypePerformanceLevel, ResultTypePredictedScore, ResultTypeRawScore, ResultTypeResult, ResultTypeRubricCriterion, ResultTypeRubricCriterionLevel, ResultTypeRubricScore, ResultTypeScaledScore, ResultTypeStatus}
}

// Valid reports whether v is a defined value or an "ext:" extension.
func (v ResultType) Valid() bool {
	return slices.Contains(ResultTypes(), v) || isExt(string(v))
}

// TargetType is the kind of an Alignment target (AlignmentTargetType, extensible).
type TargetType string

// TargetType values.
const (
	TargetTypeCeasnCompetency        TargetType = "ceasn:Competency"
	TargetTypeCetermsCredential      TargetType = "ceterms:Credential"
	TargetTypeCFItem                 TargetType = "CFItem"
	TargetTypeCFRubric               TargetType = "CFRubric"
	TargetTypeCFRubricCriterion      TargetType = "CFRubricCriterion"
	TargetTypeCFRubricCriterionLevel TargetType = "CFRubricCriterionLevel"
	TargetTypeCTDL                   TargetType = "CTDL"
)

// TargetTypes lists every TargetType defined by the specification, in its order.
func TargetTypes() []TargetType {
	return []TargetType{TargetTypeCeasnCompetency, TargetTypeCetermsCredential, TargetTypeCFItem, TargetTypeCFRubric, TargetTypeCFRubricCriterion, TargetTypeCFRubricCriterionLevel, TargetTypeCTDL}
}

// Valid reports whether v is a defined value or an "ext:" extension.
func (v TargetType) Valid() bool {
	return slices.Contains(TargetTypes(), v) || isExt(string(v))
}

// ResultStatus is the status of a Result (ResultStatusType, closed).
type ResultStatus string

// ResultStatus values.
const (
	ResultStatusCompleted   ResultStatus = "Completed"
	ResultStatusEnrolled    ResultStatus = "Enrolled"
	ResultStatusFailed      ResultStatus = "Failed"
	ResultStatusInProgress  ResultStatus = "InProgress"
	ResultStatusOnHold      ResultStatus = "OnHold"
	ResultStatusProvisional ResultStatus = "Provisional"
	ResultStatusWithdrew    ResultStatus = "Withdrew"
)

// ResultStatuses lists every ResultStatus defined by the specification, in its order.
func ResultStatuses() []ResultStatus {
	return []ResultStatus{ResultStatusCompleted, ResultStatusEnrolled, ResultStatusFailed, ResultStatusInProgress, ResultStatusOnHold, ResultStatusProvisional, ResultStatusWithdrew}
}

// Valid reports whether v is a defined value; the list is closed.
func (v ResultStatus) Valid() bool {
	return slices.Contains(ResultStatuses(), v)
}

// AssociationType relates two CLR achievements (AssociationType, closed).
type AssociationType string

// AssociationType values.
const (
	AssociationTypeExactMatchOf AssociationType = "exactMatchOf"
	AssociationTypeIsChildOf    AssociationType = "isChildOf"
	AssociationTypeIsParentOf   AssociationType = "isParentOf"
	AssociationTypeIsPartOf     AssociationType = "isPartOf"
	AssociationTypeIsPeerOf     AssociationType = "isPeerOf"
	AssociationTypeIsRelatedTo  AssociationType = "isRelatedTo"
	AssociationTypePrecedes     AssociationType = "precedes"
	AssociationTypeReplacedBy   AssociationType = "replacedBy"
)

// AssociationTypes lists every AssociationType defined by the specification, in its order.
func AssociationTypes() []AssociationType {
	return []AssociationType{AssociationTypeExactMatchOf, AssociationTypeIsChildOf, AssociationTypeIsParentOf, AssociationTypeIsPartOf, AssociationTypeIsPeerOf, AssociationTypeIsRelatedTo, AssociationTypePrecedes, AssociationTypeReplacedBy}
}

// Valid reports whether v is a defined value; the list is closed.
func (v AssociationType) Valid() bool {
	return slices.Contains(AssociationTypes(), v)
}
